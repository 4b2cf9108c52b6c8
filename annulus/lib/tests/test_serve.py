"""`annulus serve` starts gunicorn and a task worker, and the home page answers 200.

A task worker killed with SIGKILL is replaced while the web keeps answering (L2).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator

import pytest

from annulus import testing_db

pytestmark = pytest.mark.skipif(
    "postgres" in os.environ.get("DATABASE_URL", ""), reason="SQLite pass only"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get_status(port: int) -> int | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            return int(response.status)
    except OSError:
        return None


def children(pid: int) -> dict[int, str]:
    """The direct children of `pid` and their command lines (from /proc)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            if ppid == pid:
                with open(f"/proc/{entry}/cmdline", "rb") as cmd:
                    found[int(entry)] = cmd.read().replace(b"\0", b" ").decode().strip()
        except (OSError, IndexError, ValueError):
            continue
    return found


class Served:
    def __init__(self, server: subprocess.Popen[str], port: int) -> None:
        self.server, self.port, self.lines = server, port, list[str]()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.server.stdout is not None
        for line in self.server.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, check: object, seconds: float = 240) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if callable(check) and check():
                return True
            time.sleep(0.2)
        return False

    def task_workers(self) -> set[int]:
        return {p for p, cmd in children(self.server.pid).items() if cmd.endswith(" worker")}


@pytest.fixture
def served(tmp_path, django_db_setup) -> Iterator[Served]:
    env = {**os.environ, "ANNULUS_VAR_DIR": str(tmp_path)}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    cli = [sys.executable, "-m", "annulus.cli"]
    # Start from the pass's migrated template (annulus/testing_db.py) when there is one, so the
    # migrate below has nothing to apply: it is this test's set-up, not what it checks.
    test_name = testing_db.sqlite_test_name()
    if test_name is not None:
        testing_db.copy_migrated(test_name, tmp_path / "annulus.sqlite3")
    # Generous bounds: a loaded CI machine (two test workers beside it) migrates slowly.
    subprocess.run([*cli, "migrate", "-v", "0"], env=env, check=True, timeout=600)
    port = free_port()
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--workers", "1", "--task-workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    result = Served(server, port)
    try:
        yield result
    finally:
        server.terminate()
        server.wait(timeout=30)
        result.reader.join(timeout=5)


def test_it_serves_with_a_worker_replaces_a_killed_one_and_stops_cleanly(served):
    """One start-up for the whole life of `annulus serve`: each start costs a migrate and a boot."""
    # It serves the home page with a task worker beside it.
    assert served.wait_for(lambda: get_status(served.port) == 200)
    assert served.wait_for(lambda: served.output.count("Starting worker") == 1)
    # A task worker killed with SIGKILL is replaced, and the web keeps serving meanwhile.
    [first] = served.task_workers()
    os.kill(first, 9)
    assert served.wait_for(lambda: served.task_workers() - {first})
    assert served.server.poll() is None, "annulus serve stopped with its worker"
    assert get_status(served.port) == 200
    # The replacement really works: it starts and takes tasks.
    assert served.wait_for(lambda: served.output.count("Starting worker") == 2)
    assert "restarting" in served.output
    # It stops cleanly when asked.
    served.server.terminate()
    assert served.server.wait(timeout=30) == 0
