"""One scheduler per site: two schedulers on one database, and only one does the work.

PostgreSQL: two `annulus scheduler` processes against the test database; one leads and runs
housekeeping, the other stands by and runs nothing, and takes over once the leader is killed.
SQLite: the same exclusion through the lock file, in-process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from annulus.ops.scheduler import SchedulerLock


class Scheduler:
    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "annulus.cli", "scheduler", "--every", "0.5", "--first", "0"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    def count(self, text: str) -> int:
        return sum(text in line for line in self.lines)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)


def wait_for(check: Any, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_schedulers_on_postgres_do_the_work_once(tmp_path: Path) -> None:
    cfg = connection.settings_dict
    url = (
        f"postgres://{cfg['USER']}:{cfg['PASSWORD'] or ''}@{cfg['HOST'] or '127.0.0.1'}:"
        f"{cfg['PORT'] or 5432}/{cfg['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "ANNULUS_VAR_DIR": str(tmp_path),
        "ANNULUS_AUDIT_ANCHOR": str(tmp_path / "anchor.jsonl"),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    first, second = Scheduler(env), Scheduler(env)
    try:
        assert wait_for(lambda: first.count("leading") + second.count("leading") == 1), (
            first.lines + second.lines
        )
        leader, standby = (first, second) if first.count("leading") else (second, first)
        assert wait_for(lambda: standby.count("standing by") == 1), standby.lines
        # Several intervals pass: the leader works every time, the standby never.
        assert wait_for(lambda: leader.count("housekeeping: ") >= 3), leader.lines
        assert standby.count("housekeeping") == 0, standby.lines
        # The leader dies without a word: the server drops its lock, the standby takes over.
        leader.stop()
        assert wait_for(lambda: standby.count("housekeeping: ") >= 1, 30), standby.lines
        assert standby.count("leading") == 1
    finally:
        first.stop()
        second.stop()


@pytest.mark.django_db
def test_only_one_scheduler_holds_the_lock_file_on_sqlite(settings: Any, tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite pass")
    settings.VAR_DIR = tmp_path
    one, two = SchedulerLock(), SchedulerLock()
    assert one.acquire() is True
    assert two.acquire() is False
    assert one.acquire() is True  # still held
    assert one._file is not None
    one._file.close()  # the process holding it ends
    assert two.acquire() is True
