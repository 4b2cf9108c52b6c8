"""Every write of the clinical record: imaging, discography, blocks, the fibrin procedure,
adverse events and referrals elsewhere.

Each is one transaction with its change history and audit event (through the private helpers in
`annulus/patients/history.py`), takes the acting user and an `AuditContext`, and sends
`treatment_anchor_changed` when it may have moved the date follow-up counts from.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction

from annulus.audit.actions import (
    ADVERSE_EVENT_RECORD,
    ALTERNATIVE_REFERRAL_RECORD,
    DISCOGRAPHY_SESSION_RECORD,
    FIBRIN_PROCEDURE_RECORD,
    PATIENT_TREATED,
)
from annulus.audit.context import AuditContext
from annulus.clinical.consent_gate import require_consent
from annulus.clinical.models import (
    AdverseEvent,
    AlternativeReferral,
    DiagnosticInjection,
    Discogram,
    DiscographySession,
    FibrinProcedure,
    LevelFinding,
    MRIStudy,
)
from annulus.consents.models import ConsentKind
from annulus.patients.actions.record import move_stage
from annulus.patients.events import treatment_anchor_changed
from annulus.patients.history import delete_clinical, save_clinical
from annulus.patients.models import Patient, Stage

if TYPE_CHECKING:
    from annulus.accounts.models import User

# Grid columns that store "" rather than NULL for "not read".
_BLANK_AS_EMPTY = ("contour", "stenosis")


def save_mri_study(
    study: MRIStudy,
    levels: dict[str, dict[str, Any]],
    *,
    actor: User | None,
    ctx: AuditContext,
) -> MRIStudy:
    """Save the study and its per-level findings: `levels` maps a level ("L4-L5") to its values.

    A level that had findings and is missing from `levels` (a row emptied in the grid) is deleted,
    with its history.
    """
    patient = study.patient
    with transaction.atomic():
        save_clinical(study, patient=patient, user=actor, ctx=ctx)
        existing = {f.level: f for f in LevelFinding.objects.filter(study=study)}
        for level, row in levels.items():
            finding = existing.pop(level, None) or LevelFinding(study=study, level=level)
            for name, value in row.items():
                setattr(finding, name, "" if value is None and name in _BLANK_AS_EMPTY else value)
            save_clinical(finding, patient=patient, user=actor, ctx=ctx)
        for finding in existing.values():
            delete_clinical(finding, patient=patient, user=actor, ctx=ctx)
    return study


def record_discography(
    patient: Patient,
    performed_on: date,
    levels: dict[str, dict[str, Any]],
    *,
    session: dict[str, Any] | None = None,
    actor: User | None,
    ctx: AuditContext,
) -> list[Discogram]:
    """Record one discography session: a row per level, updated when that level is there already.

    The patient's signed discography consent is always required (`ConsentRequired` otherwise,
    nothing written): a caller that leaves out the session must not slip past the gate.
    `session` holds the operator, sedation and antibiotic prophylaxis (`DiscographySession`
    fields); with it, the consent is also linked to the session row. Without it (records from
    before sessions were kept), only the levels are written.
    """
    saved = []
    with transaction.atomic():
        consent = require_consent(patient, ConsentKind.DISCOGRAPHY)
        session_row = None
        if session is not None:
            session_row = DiscographySession.objects.filter(
                patient=patient, performed_on=performed_on
            ).first() or DiscographySession(patient=patient, performed_on=performed_on)
            for name, value in session.items():
                setattr(session_row, name, value)
            session_row.consent = consent
            save_clinical(
                session_row,
                patient=patient,
                user=actor,
                ctx=ctx,
                audit_action=DISCOGRAPHY_SESSION_RECORD,
                details={"consent": consent.pk},
            )
        for level, row in levels.items():
            disc = Discogram.objects.filter(
                patient=patient, performed_on=performed_on, level=level
            ).first() or Discogram(patient=patient, performed_on=performed_on, level=level)
            for name, value in row.items():
                setattr(disc, name, value)
            if session_row is not None:
                disc.session = session_row
            save_clinical(disc, patient=patient, user=actor, ctx=ctx)
            saved.append(disc)
        if saved:
            _check_ins(
                patient, "discography", f"Discography:{performed_on}", performed_on, actor, ctx
            )
    return saved


def record_injection(
    injection: DiagnosticInjection, *, actor: User | None, ctx: AuditContext
) -> DiagnosticInjection:
    with transaction.atomic():
        save_clinical(injection, patient=injection.patient, user=actor, ctx=ctx)
        _check_ins(
            injection.patient,
            "diagnostic_block",
            f"DiagnosticInjection:{injection.pk}",
            injection.performed_on,
            actor,
            ctx,
        )
    return injection


def record_procedure(
    procedure: FibrinProcedure, *, actor: User | None, ctx: AuditContext
) -> FibrinProcedure:
    """Save a fibrin procedure and move the patient to `treated`, in one transaction.

    The first procedure also sets `Patient.procedure_date`, which anchors the follow-up schedule;
    a later one leaves it alone. Both rows get their change history and audit event. The patient
    row is locked and read again (`move_stage`), so a colleague's concurrent edit of their
    details survives. The follow-up is re-planned in the same transaction.

    Refused with `ConsentRequired` (nothing written) unless the patient has signed the fibrin
    procedure consent on the current text; that consent is linked to the procedure. Refused with
    `ValueError` when the lot expired before the procedure date.
    """
    patient = procedure.patient
    if procedure.lot_expiry is not None and procedure.lot_expiry < procedure.performed_on:
        raise ValueError("lot_expiry: the lot expired before the procedure date")
    with transaction.atomic():
        procedure.consent = require_consent(patient, ConsentKind.FIBRIN_PROCEDURE)
        save_clinical(
            procedure,
            patient=patient,
            user=actor,
            ctx=ctx,
            audit_action=FIBRIN_PROCEDURE_RECORD,
            details={"consent": procedure.consent.pk, "off_label": procedure.off_label},
        )
        move_stage(
            patient,
            Stage.TREATED,
            actor=actor,
            ctx=ctx,
            audit_action=PATIENT_TREATED,
            procedure_date=procedure.performed_on,
        )
        treatment_anchor_changed.send(sender=FibrinProcedure, patient=patient)
        _check_ins(
            patient, "fibrin", f"FibrinProcedure:{procedure.pk}", procedure.performed_on, actor, ctx
        )
    return procedure


def _check_ins(
    patient: Patient, kind: str, ref: str, on: date, actor: User | None, ctx: AuditContext
) -> None:
    """Plan the procedure's 48–72-hour and 2-week safety check-ins (annulus.safety)."""
    from annulus.safety.actions import schedule_check_ins

    schedule_check_ins(
        patient, procedure_kind=kind, procedure_ref=ref, procedure_on=on, actor=actor, ctx=ctx
    )


def record_adverse_event(
    event: AdverseEvent, *, actor: User | None, ctx: AuditContext
) -> AdverseEvent:
    save_clinical(
        event, patient=event.patient, user=actor, ctx=ctx, audit_action=ADVERSE_EVENT_RECORD
    )
    return event


def refer_elsewhere(
    referral: AlternativeReferral, *, actor: User | None, ctx: AuditContext
) -> AlternativeReferral:
    """Record a referral to another treatment; follow-up may now count from it."""
    with transaction.atomic():
        save_clinical(
            referral,
            patient=referral.patient,
            user=actor,
            ctx=ctx,
            audit_action=ALTERNATIVE_REFERRAL_RECORD,
        )
        treatment_anchor_changed.send(sender=AlternativeReferral, patient=referral.patient)
    return referral
