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
import time
from collections.abc import Sequence

ENGINE_COMMANDS = {"evaluate", "protocols"}


def main(argv: Sequence[str] | None = None) -> int:
    cache_bytecode_outside_source()
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args else ""
    if command in ENGINE_COMMANDS:
        from annulus.candidacy.cli import main as engine_main

        return engine_main(args)
    if command == "serve":
        return serve(args[1:])
    if command == "worker":
        # The worker of the configured task backend (ANNULUS_TASK_BACKEND): db_worker or rqworker.
        from annulus.ops.tasks_backend import TaskBackendError, worker_args

        try:
            args = [*worker_args(), *args[1:]]
        except TaskBackendError as exc:
            print(f"annulus: configuration error: {exc}", file=sys.stderr)
            return 2
    elif "-" in command and not command.startswith("-"):
        # Commands are spelled with hyphens on the command line (`annulus export-case`),
        # while Django finds them by module name (export_case).
        args[0] = command.replace("-", "_")
    return manage(args)


def cache_bytecode_outside_source() -> None:
    """Keep compiled bytecode under the var directory when PYTHONDONTWRITEBYTECODE is set.

    That variable (set on the project's shared machines) usually means "no __pycache__ in the
    checkout"; honoured literally, every command recompiled each project module it imports (a
    few hundred for `annulus check`). As in annulus/testing_bytecode.py for the tests, the bytecode
    goes to one folder outside the source (PYTHONPYCACHEPREFIX) instead; Python still checks each
    cached file against its source. The processes `annulus serve` starts inherit the choice.
    """
    if not sys.dont_write_bytecode or os.environ.get("PYTHONPYCACHEPREFIX"):
        return
    checkout_var = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "var")
    prefix = os.path.join(os.environ.get("ANNULUS_VAR_DIR") or checkout_var, "pycache")
    sys.pycache_prefix = prefix
    sys.dont_write_bytecode = False
    os.environ["PYTHONPYCACHEPREFIX"] = prefix
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    if not os.path.exists(os.path.join(prefix, INSTALLED_LINKED)):
        link_installed_bytecode(prefix)


# Written in the bytecode folder once the installed packages' compiled files are linked into it.
INSTALLED_LINKED = ".installed-packages-linked"


def link_installed_bytecode(prefix: str, roots: Sequence[str] | None = None) -> None:
    """Link the installed packages' compiled files (pip compiles them) into the bytecode folder.

    With a bytecode folder set, Python looks for every module's compiled file there, the
    installed packages' too, and ignores the ones pip wrote beside them: on a fresh folder each
    process compiled the ~3,400 third-party modules it imports again (about 8 CPU-s for each
    test worker, at the same time). Python still checks each linked file against its source,
    and a rewrite replaces the link, never the file in the environment. Done once per folder.
    `roots` are the folders to walk: the environment's site-packages unless a test says others.
    """
    import contextlib
    import importlib.util
    import sysconfig

    tag = sys.implementation.cache_tag
    if roots is None:
        paths = sysconfig.get_paths()
        roots = sorted({paths["purelib"], paths["platlib"]})
    for root in roots:
        for folder, _dirs, files in os.walk(root):
            if os.path.basename(folder) != "__pycache__":
                continue
            for name in files:
                parts = name.split(".")
                if len(parts) != 3 or parts[1] != tag or parts[2] != "pyc":
                    continue
                source = os.path.join(os.path.dirname(folder), parts[0] + ".py")
                target = importlib.util.cache_from_source(source)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                # Compiled here already, or another process linked it first.
                with contextlib.suppress(FileExistsError):
                    os.symlink(os.path.join(folder, name), target)
    os.makedirs(prefix, exist_ok=True)
    with open(os.path.join(prefix, INSTALLED_LINKED), "w"):
        pass


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
    parser.add_argument(
        "--scheduler",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also run `annulus scheduler` (only one per site works; the others stand by)",
    )
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
        # The access log carries method, path and status only: paths never hold PHI, and the
        # logger class replaces secret link tokens in them with [token].
        "--access-logformat", '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss',
        "--logger-class", "annulus.lib.gunicorn_logger.GunicornLogger",
    ]  # fmt: skip
    procs = [subprocess.Popen(web)]
    supervisor = Supervisor(opts.task_workers, scheduler=opts.scheduler)
    print(f"Annulus is serving http://{opts.host}:{opts.port}/ (Ctrl-C stops it)", flush=True)

    def stop(*_: object) -> None:
        supervisor.stopping = True
        for proc in [*procs, *supervisor.workers]:
            if proc.poll() is None:
                proc.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    code = 0
    try:
        # The web server is the service: if it ends, everything stops. A task worker (or the
        # scheduler) that dies is restarted and the web keeps answering.
        while not supervisor.stopping:
            try:
                procs[0].wait(timeout=1)
            except subprocess.TimeoutExpired:
                supervisor.tick()
                continue
            code = 0 if supervisor.stopping else 1
            break
    finally:
        stop()
        for proc in [*procs, *supervisor.workers]:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    return code


class Supervisor:
    """Keeps M task workers (and the scheduler, if asked) alive, restarting any that die.

    The scheduler (`annulus scheduler`) runs housekeeping every 5 minutes; with several app
    servers each starts one, and a database lock lets only one of them work (annulus/ops/scheduler).
    """

    MAX_BACKOFF = 60.0

    def __init__(self, count: int, *, scheduler: bool = False) -> None:
        self.stopping = False
        self.command = [sys.executable, "-m", "annulus.cli"]
        self.roles = ["worker"] * count + (["scheduler"] if scheduler else [])
        self.workers = [self._start(role) for role in self.roles]
        self.started = [time.monotonic()] * len(self.roles)
        self.backoff = [1.0] * len(self.roles)
        self.due = [0.0] * len(self.roles)

    def _start(self, role: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([*self.command, role])

    def tick(self) -> None:
        now = time.monotonic()
        for i, proc in enumerate(self.workers):
            if proc.poll() is None or self.stopping:
                continue
            if not self.due[i]:
                # A process that dies soon after starting waits longer each time (up to 60 s).
                quick = now - self.started[i] < 30
                self.backoff[i] = min(self.backoff[i] * 2, self.MAX_BACKOFF) if quick else 1.0
                self.due[i] = now + self.backoff[i]
                print(f"annulus: {self.roles[i]} {proc.pid} ended ({proc.returncode}); restarting",
                      file=sys.stderr, flush=True)  # fmt: skip
            elif now >= self.due[i]:
                self.workers[i] = self._start(self.roles[i])
                self.started[i], self.due[i] = now, 0.0


if __name__ == "__main__":
    sys.exit(main())
