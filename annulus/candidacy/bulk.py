"""Building many case files quickly, for ``rescreen`` and ``export-case --all``.

Patients go in pk-ordered chunks; each chunk's records come in a few queries
(``case_builder.load_records``) and the command's ``work`` turns the chunk into a result. With
``jobs`` > 1 the chunks are shared out over forked worker processes, each with its own database
connection, and the results come back in chunk order, so the output is the same whatever the
number of jobs. Writes (audit events, new evaluations) stay in the calling process: workers only
read the database (``export-case``'s workers also write the case files).
"""

from __future__ import annotations

import gc
import multiprocessing
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, TypeVar

from django.core.management.base import CommandError, CommandParser
from django.db import connections
from django.db.models import QuerySet

from annulus.accounts.models import Clinic
from annulus.audit.actions import CANDIDACY_CASE_EXPORT
from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.candidacy.case_builder import Records, load_records
from annulus.patients.models import Patient

CHUNK = 1000

T = TypeVar("T")
Work = Callable[[list[Patient], dict[int, Records]], T]

# The job a forked worker runs: set just before the pool forks, so workers inherit it instead of
# unpickling a queryset and a bound method for every chunk.
_job: tuple[QuerySet[Patient], Callable[..., Any]] | None = None


def chunk_bounds(patients: QuerySet[Patient], size: int) -> list[tuple[int, int]]:
    """(first pk, last pk) of each chunk of ``size`` patients: one query for the ids (a list of
    integers, not of patients)."""
    ids = list(patients.order_by("pk").values_list("pk", flat=True))
    return [(ids[i], ids[min(i + size, len(ids)) - 1]) for i in range(0, len(ids), size)]


def _run(patients: QuerySet[Patient], work: Work[T], bounds: tuple[int, int]) -> tuple[int, T]:
    first, last = bounds
    chunk = list(patients.filter(pk__gte=first, pk__lte=last).order_by("pk"))
    return len(chunk), work(chunk, load_records([p.pk for p in chunk]))


def _in_worker(bounds: tuple[int, int]) -> tuple[int, Any]:
    assert _job is not None
    try:
        return _run(_job[0], _job[1], bounds)
    finally:
        # Pool workers leave with os._exit: close here so the server sees a clean goodbye.
        connections.close_all()


def map_chunks(
    patients: QuerySet[Patient], work: Work[T], *, jobs: int = 1, size: int | None = None
) -> Iterator[tuple[int, T]]:
    """(patients in the chunk, ``work(chunk, records)``) for each chunk, in pk order."""
    global _job
    bounds = chunk_bounds(patients, size or CHUNK)
    with frozen_heap():
        if jobs <= 1 or len(bounds) <= 1:
            for each in bounds:
                yield _run(patients, work, each)
            return
        # A forked child must not share the parent's connection socket: close it before
        # forking (it reopens on the parent's next query), and each worker opens its own.
        connections.close_all()
        _job = (patients, work)
        try:
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                yield from pool.imap(_in_worker, bounds)
        finally:
            _job = None


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Leave the objects alive now (Django, the app, the protocol: about 93,000 tracked by the
    collector) out of its scans while the chunks run, and let it run less often.

    The chunks make and drop many short-lived containers (rows, case dicts), which kept the
    collector busy: in a 100,000-patient export 3,326 young collections and 28 full ones, each
    full one scanning the whole heap (64 ms each; gc 2.8 CPU-s of 38 at load ~11). Frozen objects
    are never scanned; forked workers also stop copying the pages the collector would touch.
    Nothing here makes cycles the collector must find sooner: a chunk's objects are freed by
    reference counting when the chunk is done."""
    threshold = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, threshold[1], threshold[2])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def add_bulk_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="build cases in N worker processes (default 1; the output is the same). More "
        "than one shortens the run only while other cores are idle, and takes them from the "
        "database and the web server (docs/operations.md, 'Bulk case commands')",
    )
    parser.add_argument(
        "--progress",
        action="store_true",
        help="report progress on stderr even when it is not a terminal",
    )


def jobs_or_error(value: int) -> int:
    if value < 1:
        raise CommandError(
            f"--jobs: give a number of processes, 1 or more (got {value})", returncode=2
        )
    return value


def record_case_exports(
    exported: list[tuple[int, int, date]], *, target: str, ctx: AuditContext
) -> None:
    """One audit event per clinic in a chunk, naming the patients (ids only) whose case file
    left the database. ``exported``: (patient id, clinic id, assessment day)."""
    by_clinic: dict[int, list[tuple[int, date]]] = defaultdict(list)
    for patient_id, clinic_id, day in exported:
        by_clinic[clinic_id].append((patient_id, day))
    clinics = Clinic.objects.in_bulk(list(by_clinic))
    for clinic_id, done in by_clinic.items():
        record(
            CANDIDACY_CASE_EXPORT,
            ctx=ctx,
            clinic=clinics[clinic_id],
            details={
                "target": target,
                "patient_ids": [pk for pk, _ in done],
                "assessed_on": sorted({day.isoformat() for _, day in done}),
            },
        )


class Progress:
    """A progress bar on stderr when it is a terminal, a line per chunk when asked for
    (``--progress``) and it is not, and nothing otherwise (logs and pipes stay clean)."""

    WIDTH = 30

    def __init__(self, label: str, total: int, out: Any, *, asked: bool = False) -> None:
        """``out``: a command's ``self.stderr`` (Django's OutputWrapper)."""
        self.label, self.total, self.done = label, total, 0
        self.out = out
        self.started = time.monotonic()
        self.tty = bool(out.isatty())
        self.shown = self.tty or asked

    def note(self, text: str) -> None:
        """A message on stderr that does not land in the middle of the bar."""
        self.out.write(("\r\x1b[K" + text) if self.tty and self.done else text)

    def step(self, count: int) -> None:
        self.done += count
        if not self.shown:
            return
        rate = self.done / max(time.monotonic() - self.started, 1e-6)
        figures = f"{self.done:,}/{self.total:,} patients ({rate:,.0f}/s)"
        if not self.tty:
            self.out.write(f"{self.label}: {figures}")
            return
        filled = self.WIDTH * self.done // max(self.total, 1)
        bar = "█" * filled + "░" * (self.WIDTH - filled)
        self.out.write(f"\r{self.label} {bar} {figures}", ending="")
        if self.done >= self.total:
            self.out.write("")
        self.out.flush()
