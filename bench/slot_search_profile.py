"""Where one slot search spends its time: in-process, single client, on PostgreSQL.

    .venv/bin/python bench/slot_search_profile.py [--requests 400] [--pg postgres://...]

A companion to `bench/booking.py` for a machine shared with other work: no server, no
concurrent clients, so queueing does not hide the work itself. Seeds a throw-away database like
the booking benchmark (demo clinic, 10 clinicians on the consultation), then asks
`GET /api/v1/slots` for a random week of the next six through Django's test client, alternating
requests that find the service fresh (as before the cache) and from the cache, and reports per
request: wall time, CPU time of this process, SQL queries, and the share of wall time spent in
`api._service` (finding the clinic's service). Prints a Markdown table; nothing is written.
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
    """Alternate requests with and without the service cache, so both see the same load."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from annulus.scheduling import api, availability

    inside = {"fresh": 0.0, "cached": 0.0}
    variant = ["cached"]

    def timed(slug: str, *, cached: bool = False) -> Any:
        # "fresh" is the slot search as it was: public_clinic() and the service, every time.
        started = time.perf_counter()
        try:
            return availability.online_service(slug, cached=cached and variant[0] == "cached")
        finally:
            inside[variant[0]] += time.perf_counter() - started

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
    inside.update(fresh=0.0, cached=0.0)
    rows: dict[str, list[tuple[float, float, int]]] = {"fresh": [], "cached": []}
    for i in range(2 * n):
        variant[0] = "fresh" if i % 2 else "cached"
        rows[variant[0]].append(one())
    lines = [
        "| slot search | requests | wall p50 ms | wall p95 ms | wall mean ms | CPU mean ms "
        "| queries/request | share in `_service` |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, label in (("fresh", "before (no service cache)"), ("cached", "after")):
        got = rows[name]
        walls = sorted(r[0] * 1000 for r in got)
        p95 = walls[int(0.95 * (len(walls) - 1))]
        total = sum(r[0] for r in got)
        lines.append(
            f"| {label} | {len(got)} | {statistics.median(walls):.1f} | {p95:.1f} | "
            f"{statistics.fmean(walls):.1f} | {statistics.fmean(r[1] * 1000 for r in got):.1f} | "
            f"{statistics.fmean(r[2] for r in got):.1f} | {100 * inside[name] / total:.0f} % |"
        )
    lines.append(f"\nload average after measuring: {os.getloadavg()[0]:.1f} (2 CPUs)")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
