"""Where one slot search spends its time: in-process, single client, on PostgreSQL.

    .venv/bin/python bench/slot_search_profile.py [--requests 400] [--pg postgres://...]

A companion to `bench/booking.py` for a machine shared with other work: no server, no
concurrent clients, so queueing does not hide the work itself. Seeds a throw-away database like
the booking benchmark (demo clinic, 10 clinicians on the consultation), then asks
`GET /api/v1/slots` for a random week of the next six through Django's test client and reports
per request: wall time, CPU time of this process, SQL queries, and the share of wall time spent
in `api._service` (finding the clinic's service). Prints a Markdown table; nothing is written.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import booking as bench  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres")
    opts = parser.parse_args()
    db = os.environ.get("BENCH_DB", "annulus_bench") + "_profile"
    bench.BENCH_DB = db
    bench.admin_execute(opts.pg, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    bench.admin_execute(opts.pg, f'CREATE DATABASE "{db}"')
    try:
        with tempfile.TemporaryDirectory(prefix="annulus-bench-profile-") as tmp:
            env = {
                "PYTHONPATH": str(ROOT),
                "DJANGO_SETTINGS_MODULE": "annulus.settings",
                "DATABASE_URL": bench.bench_url(opts.pg),
                "ANNULUS_VAR_DIR": tmp,
                "ANNULUS_RATE_LIMITS": "off",
                "LOG_LEVEL": "WARNING",
                "BENCH_EXTRA_CLINICIANS": str(bench.EXTRA_CLINICIANS),
            }
            os.environ.update(env)
            annulus = str(bench.BIN / "annulus")
            for args in (["migrate", "--no-input", "-v", "0"], ["seed_demo", "--quiet-logins"]):
                subprocess.run([annulus, *args], check=True, cwd=ROOT, capture_output=True)
            bench.seed_extra_clinicians()
            print(measure(opts.requests))
    finally:
        from django.db import connections

        connections.close_all()
        bench.admin_execute(opts.pg, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    return 0


def measure(n: int) -> str:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from annulus.scheduling import api

    inside = [0.0]
    real = api._service

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            inside[0] += time.perf_counter() - started

    api._service = timed  # type: ignore[assignment]
    client = Client()
    today = datetime.now(UTC).date()
    monday = today + timedelta(days=7 - today.weekday())
    weeks = [monday + timedelta(weeks=w) for w in range(6)]
    rng = random.Random(7)

    def one() -> tuple[float, float, int]:
        first = rng.choice(weeks)
        path = f"/api/v1/slots?service=consultation&from={first}&to={first + timedelta(days=6)}"
        wall, cpu = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, response.content[:200]
        return time.perf_counter() - wall, time.process_time() - cpu, len(queries)

    for _ in range(30):  # warm: imports, connection, plan cache
        one()
    inside[0] = 0.0
    rows = [one() for _ in range(n)]
    walls = sorted(r[0] * 1000 for r in rows)
    cpus = [r[1] * 1000 for r in rows]
    total = sum(r[0] for r in rows)
    p95 = walls[int(0.95 * (len(walls) - 1))]
    return (
        "| requests | wall p50 ms | wall p95 ms | wall mean ms | CPU mean ms | queries/request "
        "| in `_service` |\n|---|---|---|---|---|---|---|\n"
        f"| {n} | {statistics.median(walls):.2f} | {p95:.2f} | {statistics.fmean(walls):.2f} | "
        f"{statistics.fmean(cpus):.2f} | {statistics.fmean(r[2] for r in rows):.1f} | "
        f"{100 * inside[0] / total:.0f} % |\n"
        f"\nload average while measuring: {os.getloadavg()[0]:.1f} (2 CPUs)"
    )


if __name__ == "__main__":
    sys.exit(main())
