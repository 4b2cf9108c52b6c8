"""Booking through nginx, one app instance and two: throughput, p95 and CPU-seconds per request.

    .venv/bin/python bench/booking_proxy.py [--seconds 8] [--clients 16]

A throw-away PostgreSQL cluster (annulus.ops.crash.Postgres: initdb on a free port, so every
backend's CPU is ours to count), migrated and seeded with the demo clinic. Then, for 1 and for 2
`annulus serve --workers 2 --task-workers 1` instances behind Debian's nginx (TLS, the shipped
config; annulus.ops.cluster): slot search (`GET /api/v1/slots`, a random week of twelve) and
booking (`POST /api/v1/bookings` of a free slot, no two clients on one slot), each for
`--seconds` with `--clients` closed-loop clients over HTTPS.

CPU-seconds are read from /proc per process tree (utime + stime of every live process, plus the
cutime + cstime its parents reaped): the app servers' trees (gunicorn workers, the task worker
sending the confirmation emails), the postmaster's tree (every backend) and nginx's. Divided by
the answered requests, they give the cost of one request wherever it runs, which is what sizing
needs; the throughput on this shared 2-CPU machine says little (state `uptime` with it).

Writes bench/results/booking_proxy.json and .md. Benchmarks are not tests.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annulus.ops.cluster import Cluster, call  # noqa: E402
from annulus.ops.crash import Postgres, children, free_slots  # noqa: E402

RESULTS = ROOT / "bench" / "results"
TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu(pid: int) -> float:
    """CPU-seconds of `pid`, its reaped children, and (recursively) its live children."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    own = sum(int(fields[i]) for i in (11, 12, 13, 14)) / TICK  # utime stime cutime cstime
    return own + sum(tree_cpu(child) for child in children(pid))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))], 1) if values else 0.0


def phase(port: int, clients: int, seconds: float, work: Any) -> dict[str, Any]:
    times: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()
    end = time.monotonic() + seconds

    def client(n: int) -> None:
        i = 0
        while time.monotonic() < end:
            method, path, body, ok = work(n, i)
            i += 1
            if method is None:
                return
            started = time.perf_counter()
            try:
                code, _ = call(port, method, path, body)
            except OSError as exc:
                code = 0
                with lock:
                    errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
            took = (time.perf_counter() - started) * 1000
            with lock:
                if code == ok:
                    times.append(took)
                elif code:
                    errors[str(code)] = errors.get(str(code), 0) + 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    return {
        "ok": len(times),
        "errors": errors,
        "seconds": round(elapsed, 1),
        "throughput_per_s": round(len(times) / elapsed, 1),
        "p50_ms": percentile(times, 50),
        "p95_ms": percentile(times, 95),
    }


def measured(pids: dict[str, list[int]], run: Any) -> dict[str, Any]:
    before = {name: sum(tree_cpu(p) for p in group) for name, group in pids.items()}
    result: dict[str, Any] = run()
    time.sleep(1.5)  # let the task worker send the last confirmations
    for name, group in pids.items():
        spent = sum(tree_cpu(p) for p in group) - before[name]
        result[f"cpu_s_{name}"] = round(spent, 2)
        result[f"cpu_ms_per_request_{name}"] = round(1000 * spent / max(1, result["ok"]), 1)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--clients", type=int, default=16)
    opts = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="annulus-bench-proxy-"))
    load_before = os.getloadavg()
    pg = Postgres(tmp)
    rounds: dict[str, Any] = {}
    try:
        pg.init()
        pg.start()
        import psycopg

        with psycopg.connect(pg.url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE annulus_crash")
        env = {
            **os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": pg.url,
            "ANNULUS_VAR_DIR": str(tmp / "var"), "ANNULUS_RATE_LIMITS": "off",
            "ANNULUS_TRUSTED_PROXIES": "127.0.0.1/32", "LOG_LEVEL": "WARNING",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "GUNICORN_CMD_ARGS": "--timeout 120",
        }  # fmt: skip
        cli = [sys.executable, "-m", "annulus.cli"]
        for args in (["migrate", "--no-input", "-v", "0"], ["seed_demo", "--quiet-logins"]):
            subprocess.run([*cli, *args], env=env, check=True, capture_output=True, cwd=ROOT)
        today = datetime.now(UTC).date()
        monday = today + timedelta(days=7 - today.weekday())
        weeks = [monday + timedelta(weeks=w) for w in range(12)]
        for count in (1, 2):
            proxy = Cluster(tmp / f"c{count}", env, count, ["--workers", "2", "--no-scheduler"])
            proxy.start()
            try:
                port = proxy.https_port
                pairs = free_slots(proxy.instances[0].port, 12)
                random.Random(count).shuffle(pairs)
                shares = [pairs[n :: opts.clients] for n in range(opts.clients)]
                assert proxy.nginx is not None
                pids = {
                    "app": [i.proc.pid for i in proxy.instances],
                    "postgres": [pg.postmaster_pid()],
                    "nginx": [proxy.nginx.pid],
                }

                def slots(n: int, i: int) -> tuple[Any, ...]:
                    first = random.choice(weeks)
                    path = (f"/api/v1/slots?service=consultation&from={first}"
                            f"&to={first + timedelta(days=6)}")  # fmt: skip
                    return "GET", path, None, 200

                def book(n: int, i: int, c: int = count, shares: list = shares) -> tuple[Any, ...]:
                    if i >= len(shares[n]):
                        return None, "", None, 0
                    start, resource = shares[n][i]
                    patient = {"first_name": "Bench", "last_name": f"P{c}x{n}x{i}", "phone": "",
                               "email": f"bench{c}-{n}-{i}@example.org",
                               "date_of_birth": "1970-01-01"}  # fmt: skip
                    body = {"service": "consultation", "start": start, "resource": resource,
                            "patient": patient}  # fmt: skip
                    return "POST", "/api/v1/bookings", body, 201

                phase(port, opts.clients, 2.0, slots)  # warm every worker
                for kind, work in (("slots", slots), ("bookings", book)):
                    rounds[f"{count}_{kind}"] = measured(
                        pids, lambda w=work, p=port: phase(p, opts.clients, opts.seconds, w)
                    )
            finally:
                proxy.stop()
    finally:
        pg.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "setup": f"nginx (TLS) -> N x annulus serve --workers 2 --task-workers 1 -> throw-away "
        f"PostgreSQL 15; {opts.clients} closed-loop HTTPS clients (threads, new connection per "
        f"request), {opts.seconds:g} s per phase, demo clinic (2 clinicians)",
        "rounds": rounds,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "booking_proxy.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / "booking_proxy.md").write_text(markdown(result))
    print(markdown(result))
    return 0


def markdown(result: dict[str, Any]) -> str:
    lines = [
        "# Booking through nginx: one instance and two",
        "",
        f"{result['when']}, {result['cpus']} CPUs shared with other work: load average "
        f"{result['load_before']} before, {result['load_after']} after (1, 5, 15 min). "
        f"{result['setup']}. Made by `bench/booking_proxy.py`.",
        "",
        "| instances | request | answered | errors | per s | p50 ms | p95 ms | app CPU ms/req "
        "| PostgreSQL CPU ms/req | nginx CPU ms/req |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in result["rounds"].items():
        count, kind = name.split("_")
        lines.append(
            f"| {count} | {'slot search' if kind == 'slots' else 'booking'} | {r['ok']} | "
            f"{r['errors'] or 0} | {r['throughput_per_s']} | {r['p50_ms']} | {r['p95_ms']} | "
            f"{r['cpu_ms_per_request_app']} | {r['cpu_ms_per_request_postgres']} | "
            f"{r['cpu_ms_per_request_nginx']} |"
        )
    lines += [
        "",
        "CPU per request = CPU-seconds the process trees spent during the phase / answered "
        "requests (app: gunicorn workers and the task worker sending the confirmation emails).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
