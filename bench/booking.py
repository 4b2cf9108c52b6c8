"""Booking benchmark: slot search and booking under `annulus serve --workers 4` on PostgreSQL.

    .venv/bin/python bench/booking.py [--seconds 15] [--clients 50] [--pg postgres://...]

1. Creates a throw-away PostgreSQL database (`annulus_bench`, dropped again at the end),
   migrates it, seeds the demo clinic, and gives the online `consultation` 8 more clinicians
   (10 in all, a mid-size practice, so 50 clients booking for a while do not run out of
   slots; clients never aim at the same slot, so every 409 would be a real fault).
2. Starts `annulus serve --workers 4` (gunicorn sync workers, plus the default background-task
   worker delivering the confirmation emails) with `ANNULUS_RATE_LIMITS=off`.
3. Slot search: 50 concurrent clients, each in a closed loop with no pause, ask
   `GET /api/v1/slots` for a random week of the next six. Booking: 50 concurrent clients each
   `POST /api/v1/bookings` free slots from their own share of the slot list.
   Then both again at half load: the same 50 clients, each sending one request at a fixed
   interval chosen so that together they offer half the throughput measured at saturation,
   to show latency when the server is busy but not overloaded.
   Clients are 5 processes x 10 threads of stdlib `http.client` (a new connection per request,
   as gunicorn's sync workers close them), all on 127.0.0.1. Every run is bounded in time and in
   requests per client.
4. Records throughput and p50/p95/p99 per phase. Goals: p95 < 100 ms for the slot search and
   < 200 ms for booking, with no errors.

Results go to bench/results/booking.json and bench/results/booking.md. Benchmarks are not tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from booking_load import MAX_REQUESTS_PER_CLIENT, PROCESSES, phase, request
from booking_report import markdown

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
# Override with BENCH_DB when several people benchmark on one PostgreSQL server.
BENCH_DB = os.environ.get("BENCH_DB", "annulus_bench")
# The demo's 2 clinicians plus 8: a mid-size practice, with room for 50 clients to book for a
# while. Every extra clinician also adds to what each slot search computes.
EXTRA_CLINICIANS = int(os.environ.get("BENCH_EXTRA_CLINICIANS", "8"))


# --- database and server ----------------------------------------------------------------------


def bench_url(pg: str) -> str:
    parts = urlsplit(pg)
    return urlunsplit(parts._replace(path="/" + BENCH_DB))


def admin_execute(pg: str, sql: str) -> None:
    import psycopg

    parts = urlsplit(pg)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed_extra_clinicians() -> int:
    """Run inside the bench environment (Django set up against the bench database)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annulus.settings")
    django.setup()
    from annulus.accounts.models import Clinic, Membership, Role, User
    from annulus.scheduling.demo import CLINIC_HOURS, WEEKDAYS
    from annulus.scheduling.models import (
        Resource,
        ResourceKind,
        RoleCandidate,
        Service,
        WeeklyHours,
    )

    clinic = Clinic.objects.get(slug="riverbend")
    service = Service.objects.get(clinic=clinic, slug="consultation")
    role = service.roles.get(position=0)
    for n in range(int(os.environ.get("BENCH_EXTRA_CLINICIANS", EXTRA_CLINICIANS))):
        user, _ = User.objects.get_or_create(email=f"bench-clinician-{n}@bench.annulus.test")
        Membership.objects.get_or_create(user=user, clinic=clinic, role=Role.CLINICIAN)
        resource, created = Resource.objects.get_or_create(
            clinic=clinic,
            slug=f"bench-dr-{n}",
            defaults={
                "location": service.location,
                "kind": ResourceKind.CLINICIAN,
                "name": f"Dr Bench {n}",
                "user": user,
            },
        )
        if created:
            WeeklyHours.objects.bulk_create(
                WeeklyHours(resource=resource, weekday=d, start=a, end=b)
                for d in WEEKDAYS
                for a, b in CLINIC_HOURS
            )
            RoleCandidate.objects.create(role=role, resource=resource, preference=10 + n)
    return RoleCandidate.objects.filter(role=role).count()


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    annulus = str(BIN / "annulus")
    for args in (["migrate", "--no-input", "-v", "0"], ["seed_demo", "--quiet-logins"]):
        subprocess.run([annulus, *args], env=env, check=True, cwd=ROOT, capture_output=True)
    subprocess.run([sys.executable, __file__, "--seed-only"], env=env, check=True, cwd=ROOT)
    server = subprocess.Popen(
        [annulus, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "4"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.time() + 40
    while time.time() < deadline:
        try:
            if request(port, "GET", "/api/v1/openapi.json")[0] == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("annulus serve did not answer within 40 s")


# --- clients (the load itself is in booking_load.py) -----------------------------------------


def free_slots(port: int, weeks: list[str]) -> list[tuple[str, str]]:
    """Every free (start, resource) pair of the consultation in the coming weeks, per clinician."""
    status, content, _ = request(port, "GET", "/api/v1/openapi.json")
    assert status == 200
    pairs: list[tuple[str, str]] = []
    extra = int(os.environ["BENCH_EXTRA_CLINICIANS"])
    resources = ["dr-morgan", "dr-jordan"] + [f"bench-dr-{n}" for n in range(extra)]
    for first in weeks:
        last = (datetime.fromisoformat(first) + timedelta(days=6)).date().isoformat()
        for resource in resources:
            path = f"/api/v1/slots?service=consultation&from={first}&to={last}&resource={resource}"
            status, content, _ = request(port, "GET", path)
            assert status == 200, content[:300]
            pairs += [(s["start"], s["resource"]) for s in json.loads(content)["slots"]]
    return pairs


# --- main -------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each phase")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument(
        "--extra-clinicians", type=int, default=EXTRA_CLINICIANS, help="added to the demo's 2"
    )
    parser.add_argument("--seed-only", action="store_true", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.seed_only:
        print(f"consultation candidates: {seed_extra_clinicians()}")
        return 0
    os.environ["BENCH_EXTRA_CLINICIANS"] = str(opts.extra_clinicians)
    if opts.clients % PROCESSES:
        parser.error(f"--clients must be a multiple of {PROCESSES}")

    admin_execute(opts.pg, f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    admin_execute(opts.pg, f'CREATE DATABASE "{BENCH_DB}"')
    rounds: dict[str, Any] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="annulus-bench-booking-") as tmp:
            env = {
                **os.environ,
                "PYTHONPATH": str(ROOT),
                "DJANGO_SETTINGS_MODULE": "annulus.settings",
                "DATABASE_URL": bench_url(opts.pg),
                "ANNULUS_VAR_DIR": tmp,
                "ANNULUS_RATE_LIMITS": "off",
                "LOG_LEVEL": "WARNING",
            }
            port = free_port()
            server = start_server(env, port)
            try:
                today = datetime.now(UTC).date()
                monday = today + timedelta(days=7 - today.weekday())
                weeks = [(monday + timedelta(weeks=w)).isoformat() for w in range(6)]
                # Warm every worker (imports, connections, caches) before measuring.
                phase("slots", port, [weeks] * opts.clients, 3.0, 0.0)
                pairs = free_slots(port, weeks)
                random.Random(7).shuffle(pairs)
                shares = [pairs[i :: opts.clients] for i in range(opts.clients)]
                rounds["slots"] = phase("slots", port, [weeks] * opts.clients, opts.seconds, 0.0)
                rounds["bookings"] = phase("bookings", port, shares, opts.seconds, 0.0)
                # Half load: the same clients, each paced so that together they offer half the
                # throughput measured at saturation.
                every = opts.clients / (0.5 * rounds["slots"]["throughput_per_s"])
                rounds["slots_paced"] = phase(
                    "slots", port, [weeks] * opts.clients, opts.seconds, every
                )
                # The saturating phase took pairs from the front of each share: take from the back.
                rest = [list(reversed(s)) for s in shares]
                every = opts.clients / (0.5 * rounds["bookings"]["throughput_per_s"])
                rounds["bookings_paced"] = phase("bookings", port, rest, opts.seconds, every)
                rounds["free_pairs_before"] = len(pairs)
            finally:
                server.terminate()
                server.wait(timeout=30)
    finally:
        admin_execute(opts.pg, f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')

    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "server": "annulus serve --workers 4 (gunicorn sync) --task-workers 1, PostgreSQL "
        f"(throw-away database {BENCH_DB}), ANNULUS_RATE_LIMITS=off, demo clinic + "
        f"{opts.extra_clinicians} extra clinicians offering the consultation "
        f"({opts.extra_clinicians + 2} in all)",
        "load": f"{opts.clients} concurrent clients ({PROCESSES} processes x "
        f"{opts.clients // PROCESSES} threads, stdlib http.client, new connection per request) "
        f"on 127.0.0.1; {opts.seconds:g} s per phase, at most {MAX_REQUESTS_PER_CLIENT} requests "
        "per client",
        "slot_search": "GET /api/v1/slots?service=consultation&from=<Monday>&to=<Sunday>, a random "
        "week of the next six",
        "booking": "POST /api/v1/bookings of a free (start, resource) pair; no two clients share a "
        "pair",
        "phases": rounds,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "booking.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / "booking.md").write_text(markdown(result))
    print(markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
