"""Building many case files quickly: patients in keyset-paged chunks, each chunk's records in a
few queries (``case_builder.load_records``), one audit event per chunk naming its patients, and
a progress line on stderr. Used by ``rescreen`` and ``export-case --all``."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from typing import Any

from django.db.models import QuerySet

from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.candidacy.case_builder import Records, load_records
from annulus.patients.models import Patient

CHUNK = 1000


def chunks(
    patients: QuerySet[Patient], size: int = CHUNK
) -> Iterator[tuple[list[Patient], dict[int, Records]]]:
    """Patients in pk order, ``size`` at a time (keyset paging: no OFFSET, no list of all),
    each chunk with its records."""
    last = 0
    while True:
        chunk = list(patients.filter(pk__gt=last).order_by("pk")[:size])
        if not chunk:
            return
        last = chunk[-1].pk
        yield chunk, load_records([p.pk for p in chunk])


def record_case_exports(
    patients: list[Patient], *, days: dict[int, date], target: str, ctx: AuditContext
) -> None:
    """One audit event per clinic in a chunk, naming the patients (ids only) whose case file
    left the database."""
    by_clinic: dict[Any, list[int]] = defaultdict(list)
    clinics = {}
    for patient in patients:
        by_clinic[patient.clinic_id].append(patient.pk)
        clinics[patient.clinic_id] = patient.clinic
    for clinic_id, ids in by_clinic.items():
        record(
            "candidacy.case_export",
            ctx=ctx,
            clinic=clinics[clinic_id],
            details={
                "target": target,
                "patient_ids": ids,
                "assessed_on": sorted({days[pk].isoformat() for pk in ids}),
            },
        )


class Progress:
    """``label: done/total (rate/s)`` on one line of a terminal, or a line per step otherwise."""

    def __init__(self, label: str, total: int, out: Any) -> None:
        """``out``: a command's ``self.stderr`` (Django's OutputWrapper)."""
        self.label, self.total, self.done = label, total, 0
        self.out = out
        self.started = time.monotonic()
        self.tty = bool(out.isatty())

    def step(self, count: int) -> None:
        self.done += count
        rate = self.done / max(time.monotonic() - self.started, 1e-6)
        text = f"{self.label}: {self.done}/{self.total} patients ({rate:,.0f}/s)"
        self.out.write(("\r" + text) if self.tty else text + "\n", ending="")
        if self.tty and self.done >= self.total:
            self.out.write("")
        self.out.flush()
