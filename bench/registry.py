"""Registry benchmark: the outcomes report and the scale fixes over a synthetic registry
(PostgreSQL).

    .venv/bin/python bench/registry.py \
        --pg postgres://postgres@127.0.0.1:5432/annulus_report_bench \
        [--patients 100000] [--slug synthetic-registry]

1. Migrates the database and, when the clinic ``--slug`` is missing, runs
   ``annulus seed_registry --patients N`` (timed). The database is kept for the next run.
2. Measures, each in its own process under ``/usr/bin/time`` (wall time and peak memory):
   - ``annulus outcomes-report --format json`` (start-up included; goal <= 2 s, <= 500 MB);
   - the report's computing time (``build_report``, warm) against a full scan of the largest
     table it reads (``SELECT sum(score) FROM outcomes_instrumentresponse``): goal <= 3x;
   - the report page and its PDF, ``/staff/outcomes/``, and the patient list at its last page
     and with a search, through Django's test client as a signed-in director;
   - ``annulus rescreen`` and ``annulus export-case --all`` with ``--jobs N`` for each N of
     ``--jobs 1,2`` (patients/s of wall and of CPU time; goal >= 2,000/s), and the queries per
     chunk of 1,000 patients.
3. Writes bench/results/registry.json (registry_cases.json with ``--skip report``), with the
   machine's load; the figures are written up by hand in bench/results/registry.md.

Benchmarks are not tests: nothing here fails on a slow figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
ANNULUS = str(BIN / "annulus")


def _measured(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """Run ``cmd`` under GNU time: (wall seconds, peak RSS in MB, CPU seconds, stdout). CPU is
    user + system, worker processes included."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        started = time.monotonic()
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%M %U %S", "-o", out.name, *cmd],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.monotonic() - started
        peak_kb, user, system = out.read().strip().splitlines()[-1].split()
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr[-2000:]}")
    return wall, int(peak_kb) / 1024, float(user) + float(system), done.stdout


def timed(cmd: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run ``cmd``; wall seconds and peak RSS (MB) from GNU time."""
    wall, peak_mb, _, stdout = _measured(cmd, env)
    return {"seconds": round(wall, 3), "peak_mb": round(peak_mb, 1), "stdout": stdout}


# --- measurements run in a child process (``--one NAME``) -------------------------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annulus.settings")
    import django

    django.setup()


def _client(slug: str) -> Any:
    from django.test import Client

    from annulus.accounts.models import Clinic, Membership, Role, User
    from annulus.testing import make_staff, sign_in

    clinic = Clinic.objects.get(slug=slug)
    email = f"director@{slug}.bench.annulus.test"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = make_staff(clinic, Role.DIRECTOR, email=email)
    assert Membership.objects.filter(user=user, clinic=clinic).exists()
    return sign_in(Client(), user)


def _get(client: Any, url: str, repeat: int = 3) -> dict[str, Any]:
    times, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        size = len(response.content)
    return {
        "seconds": round(min(times), 3),
        "median": round(statistics.median(times), 3),
        "first": round(times[0], 3),  # cold: charts not yet drawn in this process
        "bytes": size,
    }


def one(name: str, slug: str) -> dict[str, Any]:
    _django()
    from django.db import connection

    from annulus.accounts.models import Clinic
    from annulus.analytics.queries import Filters
    from annulus.analytics.render import today_for
    from annulus.analytics.report import build_report

    clinic = Clinic.objects.get(slug=slug)
    if name == "compute":
        filters, today = Filters(clinic_id=clinic.pk), today_for(clinic)
        build_report(filters, today)  # warm: imports, caches
        report_times = []
        for _ in range(3):
            started = time.perf_counter()
            build_report(filters, today)
            report_times.append(time.perf_counter() - started)

        def scan(sql: str) -> tuple[float, int]:
            times, rows = [], 0
            with connection.cursor() as cursor:
                for _ in range(3):
                    started = time.perf_counter()
                    cursor.execute(sql)
                    rows = cursor.fetchone()[0]
                    times.append(time.perf_counter() - started)
            return min(times), rows

        # The scores table (the largest the report read before the pivot) and the pivot itself
        # (the largest it reads now): the ratio is given against both.
        scan_scores, rows = scan("SELECT count(*), sum(score) FROM outcomes_instrumentresponse")
        scan_pivot, pivot_rows = scan(
            "SELECT count(*), sum(odi), sum(nrs_back), sum(rmdq) FROM outcomes_timepointscores"
        )
        invitations = scan("SELECT count(*) FROM outcomes_invitation")[1]
        report = min(report_times)
        return {
            "report_seconds": round(report, 3),
            "scan_seconds": round(scan_scores, 3),
            "ratio": round(report / scan_scores, 2),
            "pivot_scan_seconds": round(scan_pivot, 3),
            "ratio_to_pivot_scan": round(report / scan_pivot, 2),
            "scores": rows,
            "pivot_rows": pivot_rows,
            "invitations": invitations,
        }
    client = _client(slug)
    if name == "page":
        return _get(client, "/staff/outcomes/report/")
    if name == "pdf":
        return _get(client, "/staff/outcomes/report/report.pdf", repeat=1)
    if name == "clinic":
        return _get(client, "/staff/outcomes/")
    if name == "patient_list":
        from django.core.paginator import Paginator

        from annulus.patients.models import Patient

        last = Paginator(Patient.objects.filter(clinic=clinic), 25).num_pages
        found = {"last_page": _get(client, f"/staff/patients/?page={last}")}
        found["search"] = _get(client, "/staff/patients/?q=registry01234")
        found["first_page"] = _get(client, "/staff/patients/")
        with connection.cursor() as cursor:
            times = []
            for _ in range(3):
                started = time.perf_counter()
                cursor.execute("SELECT count(*) FROM patients_patient")
                cursor.fetchone()
                times.append(time.perf_counter() - started)
        found["count_seconds"] = round(min(times), 4)
        found["last_page_vs_count"] = round(found["last_page"]["seconds"] / min(times), 1)
        return found
    if name == "queries":
        return case_queries(slug)
    raise SystemExit(f"unknown measurement {name}")


def timed_cpu(cmd: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Like ``timed``, with the CPU seconds (user + system, worker processes included): the
    figure that holds on a shared machine, where wall time is mostly waiting for a core."""
    wall, peak_mb, cpu, _ = _measured(cmd, env)
    return {
        "seconds": round(wall, 3),
        "cpu_seconds": round(cpu, 2),
        "peak_mb": round(peak_mb, 1),
    }


def bulk_cases(
    args: argparse.Namespace,
    env: dict[str, str],
    skip: set[str],
    patients: int,
    jobs: int,
    tmp: str,
) -> dict[str, Any]:
    """``rescreen`` (dry run) and ``export-case --all`` over the registry with ``jobs`` worker
    processes: wall and CPU seconds, patients/s of each, peak memory of the main process."""
    commands = {
        "rescreen": [ANNULUS, "rescreen", "--protocol", "annulus-default@1"],
        "export_case": [ANNULUS, "export-case", "--all", f"{tmp}/cases-{jobs}"],
    }
    found = {}
    for name, command in commands.items():
        if name.split("_")[0] in skip:
            continue
        run = timed_cpu([*command, "--clinic", args.slug, "--jobs", str(jobs)], env)
        found[f"{name}_jobs{jobs}"] = {
            **run,
            "patients_per_second": round(patients / run["seconds"]),
            "patients_per_cpu_second": round(patients / run["cpu_seconds"]),
            "load_after": [round(x, 1) for x in os.getloadavg()],
        }
    return found


def case_queries(slug: str) -> dict[str, Any]:
    """Queries per chunk of 1,000 patients, counted over the registry's first three chunks."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from annulus.candidacy.bulk import CHUNK, chunk_bounds, map_chunks
    from annulus.candidacy.management.commands.export_case import write_chunk
    from annulus.patients.models import Patient

    patients = Patient.objects.filter(clinic__slug=slug).select_related("clinic")
    last = chunk_bounds(patients, CHUNK)[:3][-1][1]
    with tempfile.TemporaryDirectory() as tmp, CaptureQueriesContext(connection) as seen:
        work = partial(write_chunk, folder=Path(tmp), day=None)
        chunks = sum(1 for _ in map_chunks(patients.filter(pk__lte=last), work))
    return {"chunks": chunks, "queries": len(seen), "per_chunk": round(len(seen) / chunks, 1)}


# --- the run --------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/annulus_report_bench")
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--slug", default="synthetic-registry")
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated: report (the outcomes report, pages and patient list), rescreen, "
        "export",
    )
    parser.add_argument(
        "--jobs",
        default="1",
        type=lambda text: [int(n) for n in text.split(",")],
        help="comma-separated worker counts for rescreen and export-case (default 1)",
    )
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    skip = {name.strip() for name in args.skip.split(",") if name.strip()}
    env = {**os.environ, "DATABASE_URL": args.pg, "ANNULUS_ENV": "development"}
    # Start-up is measured as deployed: with compiled bytecode, not recompiling every module.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if args.one:
        os.environ.update(env)
        print(json.dumps(one(args.one, args.slug)))
        return

    load_before = os.getloadavg()
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} CPUs",
        "load_before": [round(x, 1) for x in load_before],
    }
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "annulus")], env=env, check=False
    )
    subprocess.run([ANNULUS, "migrate", "--no-input", "-v", "0"], env=env, check=True)
    probe = subprocess.run(
        [
            ANNULUS,
            "shell",
            "-c",
            f"from annulus.accounts.models import Clinic; print(Clinic.objects.filter("
            f"slug={args.slug!r}).exists())",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    if probe.stdout.strip().splitlines()[-1:] != ["True"]:
        seeded = timed(
            [ANNULUS, "seed_registry", "--patients", str(args.patients), "--slug", args.slug], env
        )
        results["seed"] = {k: seeded[k] for k in ("seconds", "peak_mb")}
    count = subprocess.run(
        [
            ANNULUS,
            "shell",
            "-c",
            f"from annulus.patients.models import Patient; print(Patient.objects.filter("
            f"clinic__slug={args.slug!r}).count())",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    patients = int(count.stdout.strip().splitlines()[-1])
    results["patients"] = patients

    with tempfile.TemporaryDirectory() as tmp:
        if "report" not in skip:
            runs = [
                timed(
                    [
                        ANNULUS,
                        "outcomes-report",
                        "--format",
                        "json",
                        "--clinic",
                        args.slug,
                        "-o",
                        f"{tmp}/report.json",
                    ],
                    env,
                )
                for _ in range(3)
            ]
            results["json_report"] = {
                "seconds": min(r["seconds"] for r in runs),
                "median": statistics.median(r["seconds"] for r in runs),
                "peak_mb": max(r["peak_mb"] for r in runs),
            }
            startup = [timed([ANNULUS, "check", "-v", "0"], env)["seconds"] for _ in range(2)]
            results["django_startup_seconds"] = min(startup)
            for name in ("compute", "page", "pdf", "clinic", "patient_list"):
                run = timed(
                    [sys.executable, __file__, "--pg", args.pg, "--slug", args.slug, "--one", name],
                    env,
                )
                results[name] = {
                    **json.loads(run["stdout"].strip().splitlines()[-1]),
                    "process_peak_mb": run["peak_mb"],
                }
        for jobs in args.jobs:
            results.update(bulk_cases(args, env, skip, patients, jobs, tmp))
        if skip.isdisjoint({"rescreen", "export"}):
            run = timed(
                [
                    sys.executable,
                    __file__,
                    "--pg",
                    args.pg,
                    "--slug",
                    args.slug,
                    "--one",
                    "queries",
                ],
                env,
            )
            results["case_queries"] = json.loads(run["stdout"].strip().splitlines()[-1])
    results["load_after"] = [round(x, 1) for x in os.getloadavg()]
    RESULTS.mkdir(exist_ok=True)
    # Only the bulk commands (--skip report): their own file, not the report's figures.
    name = "registry_cases.json" if "report" in skip else "registry.json"
    (RESULTS / name).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
