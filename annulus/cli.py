"""The `annulus` console script.

`annulus evaluate` and `annulus protocols` run the pure candidacy engine without touching Django
or a database (the spec requires that). `annulus serve` and `annulus worker` start processes.
Everything else is manage.py: `annulus migrate`, `annulus seed_demo`, `annulus audit verify`.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from collections.abc import Sequence

ENGINE_COMMANDS = {"evaluate", "protocols"}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args else ""
    if command in ENGINE_COMMANDS:
        from annulus.candidacy.cli import main as engine_main

        return engine_main(args)
    if command == "serve":
        return serve(args[1:])
    if command == "worker":
        args = ["db_worker", *args[1:]]
    elif "-" in command and not command.startswith("-"):
        # Commands are spelled with hyphens on the command line (`annulus export-case`),
        # while Django finds them by module name (export_case).
        args[0] = command.replace("-", "_")
    return manage(args)


def manage(args: Sequence[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annulus.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError, ProgrammingError

    try:
        execute_from_command_line(["annulus", *args])
    except ImproperlyConfigured as exc:
        # A deployer's mistake in the environment: say which variable, without a traceback.
        print(f"annulus: configuration error: {exc}", file=sys.stderr)
        return 2
    except (OperationalError, ProgrammingError) as exc:
        # Any command run before `annulus migrate` (a fresh install): one line, no traceback.
        problem = missing_tables(exc)
        if problem is None:
            raise
        print(f"annulus: {problem}", file=sys.stderr)
        return 2
    return 0


def missing_tables(exc: Exception) -> str | None:
    """What to tell the user when `exc` says a table does not exist, else None."""
    text = str(exc).lower()
    undefined_table = getattr(getattr(exc, "__cause__", None), "pgcode", None) == "42P01"
    if not (undefined_table or "no such table" in text or "does not exist" in text):
        return None
    if "relation" not in text and "table" not in text:
        return None
    from django.db import connection

    try:
        tables = set(connection.introspection.table_names())
    except Exception:  # the database is there but cannot even be listed: say the same
        tables = set()
    if "django_migrations" not in tables:
        return "the database has no tables yet: run `annulus migrate`"
    return "the database is missing tables (migrations not applied): run `annulus migrate`"


def check_settings() -> int:
    """Load the settings once before starting processes, so a bad variable stops everything."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annulus.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        import annulus.settings  # noqa: F401
    except ImproperlyConfigured as exc:
        print(f"annulus: configuration error: {exc}", file=sys.stderr)
        return 2
    return 0


def serve(argv: Sequence[str]) -> int:
    """Run gunicorn with N web workers plus M background-task workers; stop them together."""
    parser = argparse.ArgumentParser(prog="annulus serve", description=serve.__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--workers", type=int, default=2, help="gunicorn web workers")
    parser.add_argument("--task-workers", type=int, default=1, help="background task workers")
    opts = parser.parse_args(argv)
    if opts.workers < 1 or opts.task_workers < 0:
        parser.error("--workers must be at least 1 and --task-workers at least 0")
    if check_settings():
        return 2

    bindir = os.path.dirname(sys.executable)
    web = [
        os.path.join(bindir, "gunicorn"),
        "annulus.wsgi:application",
        "--bind", f"{opts.host}:{opts.port}",
        "--workers", str(opts.workers),
        "--access-logfile", "-",
        # The access log carries method, path and status only: paths never hold PHI.
        "--access-logformat", '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss',
    ]  # fmt: skip
    worker = [sys.executable, "-m", "annulus.cli", "worker"]
    procs = [subprocess.Popen(web)]
    procs += [subprocess.Popen(worker) for _ in range(opts.task_workers)]
    print(f"Annulus is serving http://{opts.host}:{opts.port}/ (Ctrl-C stops it)", flush=True)

    def stop(*_: object) -> None:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        # Whichever process ends first brings the others down: a half-running server is worse.
        while all(p.poll() is None for p in procs):
            try:
                procs[0].wait(timeout=1)
            except subprocess.TimeoutExpired:
                continue
    finally:
        stop()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
