"""One scheduler for the whole site: `annulus scheduler` (and the one `annulus serve` starts).

Scheduled work that is not a task of its own — housekeeping (tasks whose worker died, emergency
alert re-sends as a backstop, anchoring the audit chain) — must run once per site, not once per
app server. Every app server may start a scheduler; only the one holding the lock works, the
others stand by and take over within one interval when it stops.

The lock is a PostgreSQL session-level advisory lock held on the scheduler's own connection: it
is released by the server when that process dies or its connection drops, so a killed scheduler
never leaves a stale lease behind. On SQLite (one machine by definition) it is an exclusive
`flock` on `$ANNULUS_VAR_DIR/scheduler.lock`, released by the kernel in the same way.

Per-item timers (reminders, survey invitations, alert re-sends) are tasks with `run_after`; the
queue hands each to exactly one worker (RQ's scheduler has its own lock; the database queue
claims rows with SKIP LOCKED), so they need no scheduler here.
"""

from __future__ import annotations

import fcntl
import logging
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import DatabaseError, connection

log = logging.getLogger(__name__)
# Fixed key of the site-wide scheduler lock ("annulus!" as a 64-bit integer, signed).
LOCK_KEY = int.from_bytes(b"annulus!", "big", signed=True)


class SchedulerLock:
    """Try to become the one scheduler; `held()` re-checks, since a connection can drop."""

    def __init__(self) -> None:
        self._file: IO[bytes] | None = None
        self._held = False

    def acquire(self) -> bool:
        if connection.vendor == "postgresql":
            return self._acquire_pg()
        return self._acquire_file()

    def _acquire_pg(self) -> bool:
        try:
            if self._held and self._pg_still_held():
                return True
            self._held = False
            with connection.cursor() as cur:
                cur.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
                self._held = bool(cur.fetchone()[0])
        except DatabaseError:
            # The server went away: our lock went with our session. Reconnect next time.
            connection.close()
            self._held = False
        return self._held

    def _pg_still_held(self) -> bool:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND pid = pg_backend_pid() AND objid = (%s::bigint & 4294967295)::oid",
                [LOCK_KEY],
            )
            return cur.fetchone() is not None

    def _acquire_file(self) -> bool:
        if self._file is None:
            path = Path(settings.VAR_DIR) / "scheduler.lock"
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(path, "ab")  # noqa: SIM115 (held open for the process's life)
            try:
                fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self._file.close()
                self._file = None
                return False
        return True


def run(
    every: float,
    first: float,
    job: Callable[[], str],
    *,
    say: Callable[[str], None] = print,
    stop_after: float | None = None,
) -> None:
    """Run `job` every `every` seconds (the first after `first`) while holding the lock."""
    lock = SchedulerLock()
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    started = time.monotonic()
    due = started + first
    leading: bool | None = None
    while not stopping:
        if stop_after is not None and time.monotonic() - started >= stop_after:
            break
        holds = lock.acquire()
        if holds != leading:
            leading = holds
            say(
                f"scheduler {os.getpid()}: leading; housekeeping every {every:g} s"
                if holds
                else f"scheduler {os.getpid()}: another scheduler holds the lock; standing by"
            )
        if holds and time.monotonic() >= due:
            due = time.monotonic() + every
            try:
                say(f"scheduler {os.getpid()}: housekeeping: {job()}")
            except DatabaseError as exc:
                # The database is down or restarting: try again at the next interval.
                say(f"scheduler {os.getpid()}: housekeeping failed ({type(exc).__name__})")
                connection.close()
        time.sleep(min(1.0, every))
