"""The access report's writes: the patient asks for it; staff produce it (HIPAA 164.528)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from annulus.audit.actions import ACCESS_REPORT_PRODUCED, ACCESS_REPORT_REQUESTED
from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.patients.access_report import build_report, render_access_report_pdf
from annulus.patients.models import AccessReportRequest, Patient

if TYPE_CHECKING:
    from annulus.accounts.models import User


def request_access_report(patient: Patient, *, ctx: AuditContext) -> AccessReportRequest:
    """The patient asks, through their secure link. An open request is reused (double submit)."""
    with transaction.atomic():
        existing = AccessReportRequest.objects.filter(patient=patient, fulfilled_at=None).first()
        created = existing is None
        if existing is None:
            try:
                with transaction.atomic():  # the one-open-request constraint settles a race
                    existing = AccessReportRequest.objects.create(patient=patient)
            except IntegrityError:
                created = False
                existing = AccessReportRequest.objects.get(patient=patient, fulfilled_at=None)
        record(ACCESS_REPORT_REQUESTED, ctx=ctx, clinic=patient.clinic, patient_id=patient.pk,
               obj=existing, details={"via": "intake_link", "new": created})  # fmt: skip
    return existing


def produce_access_report(
    patient: Patient, *, start: date, end: date, actor: User, ctx: AuditContext
) -> bytes:
    """The PDF for ``start``..``end``. Producing it is audited (and so appears in the next report)
    and answers the patient's open requests: staff then send it to them.

    Raises ``TooManyEntries`` for a range too large to print whole.
    """
    report = build_report(patient, start, end)
    pdf = render_access_report_pdf(report)
    with transaction.atomic():
        answered = AccessReportRequest.objects.filter(patient=patient, fulfilled_at=None).update(
            fulfilled_at=timezone.now(), fulfilled_by=actor
        )
        record(
            ACCESS_REPORT_PRODUCED,
            ctx=ctx,
            actor=actor,
            clinic=patient.clinic,
            patient_id=patient.pk,
            obj=patient,
            details={
                "from": start.isoformat(),
                "to": end.isoformat(),
                "entries": len(report.entries),
                "requests_answered": answered,
            },
        )
    return pdf
