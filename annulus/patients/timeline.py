"""Everything that happened to one patient, newest first, in one query per kind of record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from annulus.patients.models import Patient


@dataclass(frozen=True)
class Entry:
    when: date
    kind: str
    title: str
    detail: str = ""
    url: str = ""


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def timeline(patient: Patient) -> list[Entry]:
    from annulus.candidacy.models import Evaluation
    from annulus.clinical.models import (
        AdverseEvent,
        AlternativeReferral,
        DiagnosticInjection,
        Discogram,
        FibrinProcedure,
        MRIStudy,
    )

    base = f"/staff/patients/{patient.pk}"
    entries = [Entry(_day(patient.created_at), "record", "Record created")]
    intake = getattr(patient, "intake", None) if hasattr(patient, "intake") else None
    if intake is not None and intake.submitted_at:
        entries.append(Entry(_day(intake.submitted_at), "intake", "Intake submitted by patient"))
    if intake is not None and intake.reviewed_at:
        entries.append(Entry(_day(intake.reviewed_at), "intake", "Intake reviewed"))
    for study in MRIStudy.objects.filter(patient=patient).prefetch_related("levels"):
        levels = ", ".join(f.level for f in study.levels.all())
        entries.append(
            Entry(
                study.study_date,
                "imaging",
                "MRI",
                levels or "no levels recorded",
                f"{base}/imaging/{study.pk}/",
            )
        )
    discs: dict[date, list[str]] = {}
    for disc in Discogram.objects.filter(patient=patient):
        discs.setdefault(disc.performed_on, []).append(f"{disc.level} {disc.concordance}")
    for day, found in discs.items():
        entries.append(Entry(day, "injection", "Discography", "; ".join(sorted(found))))
    for inj in DiagnosticInjection.objects.filter(patient=patient):
        where = ", ".join(inj.levels) or inj.side
        detail = f"{where} · {inj.relief_percent}% relief"
        entries.append(Entry(inj.performed_on, "injection", inj.get_kind_display(), detail))
    for ev in Evaluation.objects.filter(patient=patient):
        entries.append(
            Entry(
                _day(ev.evaluated_at),
                "decision",
                f"Candidacy: {ev.outcome.replace('_', ' ')}",
                f"{ev.protocol_id} v{ev.protocol_version} · {ev.get_review_display()}",
                f"{base}/evaluations/{ev.pk}/",
            )
        )
    for proc in FibrinProcedure.objects.filter(patient=patient):
        entries.append(
            Entry(proc.performed_on, "treatment", "Fibrin procedure", ", ".join(proc.levels))
        )
    for ae in AdverseEvent.objects.filter(patient=patient):
        flags = [
            w
            for w, on in (
                ("serious", ae.serious),
                ("related", ae.related),
                ("discitis", ae.discitis),
            )
            if on
        ]
        entries.append(Entry(ae.onset_on, "adverse", "Adverse event", ", ".join(flags) or "minor"))
    for ref in AlternativeReferral.objects.filter(patient=patient):
        entries.append(
            Entry(ref.referred_on, "referral", f"Referred: {ref.get_alternative_display()}")
        )
    for auth in patient.va_authorizations.all():
        entries.append(
            Entry(
                auth.valid_from,
                "va",
                "VA Community Care authorization",
                f"{auth.seoc} · until {auth.valid_to:%d %b %Y}",
            )
        )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


def summary_counts(entries: list[Entry]) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry.kind] = counts.get(entry.kind, 0) + 1
    return counts
