"""What `synchronous=FULL` costs the embedded SQLite default (issue 14, L5).

    .venv/bin/python bench/sqlite_sync.py [--commits 2000]

The booking benchmark (bench/booking.py) runs on PostgreSQL, where this setting does not apply,
so this measures the part FULL changes: the cost of one committed write transaction. Each
transaction inserts a booking-sized row and an audit-sized row in WAL mode, in IMMEDIATE mode as
the app does, on the same disk as var/. It runs NORMAL and FULL alternately three times and
records the median commits per second and per-commit latency. Results go to
bench/results/sqlite_sync.json and .md. Benchmarks are not tests.
"""

from __future__ import annotations

import argparse
import json
import platform
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def run(mode: str, commits: int, directory: Path) -> list[float]:
    path = directory / f"bench-{mode}.sqlite3"
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={mode}")
    db.execute("CREATE TABLE booking (id INTEGER PRIMARY KEY, start TEXT, patient INT, note TEXT)")
    db.execute("CREATE TABLE audit (id INTEGER PRIMARY KEY, at TEXT, action TEXT, details TEXT, "
               "prev TEXT, hash TEXT)")  # fmt: skip
    latencies = []
    for n in range(commits):
        began = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO booking (start, patient, note) VALUES (?, ?, ?)",
                   (f"2030-01-01T{n % 24:02d}:00", n, "x" * 200))  # fmt: skip
        db.execute("INSERT INTO audit (at, action, details, prev, hash) VALUES (?, ?, ?, ?, ?)",
                   (str(n), "booking.created", "{}", "0" * 64, "1" * 64))  # fmt: skip
        db.execute("COMMIT")
        latencies.append((time.perf_counter() - began) * 1000)
    db.close()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commits", type=int, default=2000)
    opts = parser.parse_args()
    rows = {}
    with tempfile.TemporaryDirectory(dir=ROOT / "var") as tmp:
        samples: dict[str, list[dict[str, float]]] = {"NORMAL": [], "FULL": []}
        for _ in range(3):
            for mode in ("NORMAL", "FULL"):
                lat = run(mode, opts.commits, Path(tmp))
                lat.sort()
                samples[mode].append({
                    "per_second": len(lat) / (sum(lat) / 1000),
                    "p50": lat[len(lat) // 2],
                    "p95": lat[int(len(lat) * 0.95)],
                })  # fmt: skip
        for mode, runs in samples.items():
            rows[mode] = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    recorded = datetime.now(UTC).isoformat(timespec="seconds")
    result = {"recorded": recorded, "commits_per_run": opts.commits, "modes": rows,
              "machine": platform.platform()}  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "sqlite_sync.json").write_text(json.dumps(result, indent=2) + "\n")
    normal, full = rows["NORMAL"], rows["FULL"]
    lines = [
        "# SQLite synchronous=FULL versus NORMAL",
        "",
        f"Recorded {recorded} by `bench/sqlite_sync.py` ({platform.platform()}); "
        f"{opts.commits} write transactions per run, median of 3 runs, WAL, BEGIN IMMEDIATE.",
        "",
        "| synchronous | commits/s | p50 ms | p95 ms |",
        "|---|---|---|---|",
        *(
            f"| {m} | {r['per_second']:.0f} | {r['p50']:.3f} | {r['p95']:.3f} |"
            for m, r in rows.items()
        ),
        "",
        f"FULL costs {(1 - full['per_second'] / normal['per_second']) * 100:.0f} % of the commit "
        f"rate here (+{full['p50'] - normal['p50']:.3f} ms per commit at p50): one fsync of the "
        "WAL per commit. A booking makes one such commit, so the booking pages' latency grows by "
        "about that much; the booking benchmark itself runs on PostgreSQL and is unaffected.",
        "The machine is shared with other work, so treat the figures as indicative.",
    ]
    (RESULTS / "sqlite_sync.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
