"""The booking benchmark's load: client processes of threads, each one request per connection.

`phase` runs one phase (slot search or booking, saturating or paced) and summarises what the
clients saw: throughput, p50/p95/p99, statuses and whether the goal was met. bench/booking.py
prepares the database and the server, and calls it.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import random
import statistics
import threading
import time
from datetime import datetime, timedelta
from typing import Any

PROCESSES = 5
MAX_REQUESTS_PER_CLIENT = 3000
GOALS_MS = {"slots": 100.0, "bookings": 200.0}


def request(
    port: int, method: str, path: str, body: dict[str, Any] | None = None
) -> tuple[int, bytes, float]:
    """One request on a fresh connection: status, body, seconds."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        payload = json.dumps(body) if body is not None else None
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, payload, headers)
        response = conn.getresponse()
        content = response.read()
        return response.status, content, time.perf_counter() - started
    finally:
        conn.close()


def _slots_client(port: int, weeks: list[str], seconds: float, pause: float, out: list) -> None:
    """`pause` > 0: one request every `pause` seconds (fixed rate), from a random offset."""
    rng = random.Random()
    if pause:
        time.sleep(rng.uniform(0, pause))
    end = time.perf_counter() + seconds
    for _ in range(MAX_REQUESTS_PER_CLIENT):
        if time.perf_counter() >= end:
            break
        first = weeks[rng.randrange(len(weeks))]
        last = (datetime.fromisoformat(first) + timedelta(days=6)).date().isoformat()
        path = f"/api/v1/slots?service=consultation&from={first}&to={last}"
        try:
            status, _, took = request(port, "GET", path)
        except OSError as exc:
            out.append((0, 0.0, type(exc).__name__))
            continue
        out.append((status, took, ""))
        if pause:
            time.sleep(max(0.0, pause - took))


def _booking_client(
    port: int, share: list, seconds: float, pause: float, out: list, n: int
) -> None:
    if pause:
        time.sleep(random.uniform(0, pause))
    end = time.perf_counter() + seconds
    for i, (start, resource) in enumerate(share[:MAX_REQUESTS_PER_CLIENT]):
        if time.perf_counter() >= end:
            break
        body = {
            "service": "consultation",
            "start": start,
            "resource": resource,
            "patient": {
                "first_name": "Bench",
                "last_name": f"Client{n}",
                "email": f"bench-{n}-{i}@example.org",
                "phone": "",
                "date_of_birth": "1970-01-01",
            },
        }
        try:
            status, _, took = request(port, "POST", "/api/v1/bookings", body)
        except OSError as exc:
            out.append((0, 0.0, type(exc).__name__))
            continue
        out.append((status, took, ""))
        if pause:
            time.sleep(max(0.0, pause - took))


def _process(kind: str, port: int, work: list, seconds: float, pause: float, first_client: int,
             queue: Any) -> None:  # fmt: skip
    """One client process: a thread per client, all released together."""
    results: list[list] = [[] for _ in work]
    barrier = threading.Barrier(len(work))

    def run(i: int) -> None:
        barrier.wait()
        if kind == "slots":
            _slots_client(port, work[i], seconds, pause, results[i])
        else:
            _booking_client(port, work[i], seconds, pause, results[i], first_client + i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queue.put([r for client in results for r in client])


def phase(kind: str, port: int, per_client: list, seconds: float, pause: float) -> dict[str, Any]:
    """Run len(per_client) clients split over PROCESSES processes; summarise what they saw."""
    queue: Any = multiprocessing.Queue()
    per_process = len(per_client) // PROCESSES
    procs = []
    for p in range(PROCESSES):
        work = per_client[p * per_process : (p + 1) * per_process]
        procs.append(
            multiprocessing.Process(
                target=_process,
                args=(kind, port, work, seconds, pause, p * per_process, queue),
            )
        )
    started = time.perf_counter()
    for proc in procs:
        proc.start()
    results = [r for _ in procs for r in queue.get(timeout=seconds + 120)]
    for proc in procs:
        proc.join()
    elapsed = time.perf_counter() - started
    return summarise(kind, results, elapsed, len(per_client), pause)


def percentile(sorted_ms: list[float], q: float) -> float:
    if not sorted_ms:
        return float("nan")
    index = min(len(sorted_ms) - 1, max(0, round(q / 100 * len(sorted_ms) + 0.5) - 1))
    return round(sorted_ms[index], 1)


def summarise(
    kind: str, results: list, elapsed: float, clients: int, pause: float
) -> dict[str, Any]:
    ok_status = 200 if kind == "slots" else 201
    statuses: dict[str, int] = {}
    for status, _, error in results:
        key = error or str(status)
        statuses[key] = statuses.get(key, 0) + 1
    ok = sorted(took * 1000 for status, took, _ in results if status == ok_status)
    errors = sum(n for key, n in statuses.items() if key != str(ok_status))
    p95 = percentile(ok, 95)
    return {
        "clients": clients,
        "interval_per_client_s": round(pause, 3),
        "offered_per_s": round(clients / pause, 1) if pause else "as fast as answered",
        "seconds": round(elapsed, 1),
        "requests": len(results),
        "ok": len(ok),
        "errors": errors,
        "statuses": statuses,
        "throughput_per_s": round(len(ok) / elapsed, 1),
        "p50_ms": percentile(ok, 50),
        "p95_ms": p95,
        "p99_ms": percentile(ok, 99),
        "max_ms": round(ok[-1], 1) if ok else None,
        "mean_ms": round(statistics.fmean(ok), 1) if ok else None,
        "goal_p95_ms": GOALS_MS[kind],
        "met": bool(ok) and errors == 0 and p95 < GOALS_MS[kind],
    }
