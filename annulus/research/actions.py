"""Run the de-identified research export: build, check, and only then write. Audited either way."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction

from annulus.audit.actions import RESEARCH_EXPORT, RESEARCH_EXPORT_BLOCKED
from annulus.audit.context import AuditContext
from annulus.audit.models import Outcome
from annulus.audit.record import record
from annulus.research.checker import Finding, check
from annulus.research.dataset import Tables, build_tables
from annulus.research.deid import RESTRICTED_ZIP3_SOURCE
from annulus.research.load import load_records
from annulus.research.models import ResearchExport, StudyId, new_study_id
from annulus.research.writer import FORMATS, write_tables


class ExportBlocked(Exception):
    """The checker found identifiers: nothing was written."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        super().__init__(f"{len(findings)} identifier finding(s); first: {findings[0]}")


@dataclass(frozen=True)
class ExportResult:
    run: ResearchExport
    files: list[Path]


def study_ids_for(patient_ids: list[int]) -> dict[int, str]:
    """The patients' study ids, creating random ones for those who have none yet."""
    existing = dict(
        StudyId.objects.filter(patient_id__in=patient_ids).values_list("patient_id", "study_id")
    )
    for pid in patient_ids:
        if pid in existing:
            continue
        for _ in range(5):  # a collision in 40 random bits is rare; retry rather than fail
            try:
                with transaction.atomic():
                    existing[pid] = StudyId.objects.create(
                        patient_id=pid, study_id=new_study_id()
                    ).study_id
                break
            except IntegrityError:
                continue
    return existing


def run_research_export(
    *,
    actor: Any,
    ctx: AuditContext,
    clinic: Any,
    folder: Path,
    fmt: str = "csv",
    origin: str = "command",
    transform: Callable[[Tables], Tables] | None = None,
) -> ExportResult:
    """Build the tables, run the checker, write files only when it finds nothing.

    `transform` lets a test alter the tables between building and checking (to prove the
    checker stops a leak). Raises `ExportBlocked` (audited, nothing written) on any finding.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format: choose csv or parquet, not {fmt!r}")
    records, known = load_records(clinic)
    with transaction.atomic():
        ids = study_ids_for([r.patient["id"] for r in records])
    tables = build_tables(records, ids)
    if transform is not None:
        tables = transform(tables)
    findings = check(tables, known)
    counts = {name: len(rows) for name, rows in tables.items()}
    if findings:
        places = [{"class": f.cls, "table": f.table, "column": f.column, "row": f.row}
                  for f in findings[:50]]  # fmt: skip
        with transaction.atomic():
            ResearchExport.objects.create(
                clinic=clinic, run_by=actor, origin=origin, format=fmt, blocked=True,
                row_counts=counts, findings=places,
            )  # fmt: skip
            record(
                RESEARCH_EXPORT_BLOCKED,
                ctx=ctx,
                actor=actor,
                clinic=clinic,
                outcome=Outcome.DENIED,
                details={"findings": len(findings), "classes": sorted({f.cls for f in findings})},
            )
        raise ExportBlocked(findings)
    files = write_tables(tables, folder, fmt)
    with transaction.atomic():
        run = ResearchExport.objects.create(
            clinic=clinic, run_by=actor, origin=origin, format=fmt, row_counts=counts
        )
        record(
            RESEARCH_EXPORT,
            ctx=ctx,
            actor=actor,
            clinic=clinic,
            obj=run,
            details={"format": fmt, "rows": counts, "zip3_list": RESTRICTED_ZIP3_SOURCE},
        )
    return ExportResult(run, files)
