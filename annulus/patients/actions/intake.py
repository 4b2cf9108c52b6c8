"""The intake: saved by staff or by the patient through their secret link, reviewed, linked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction

from annulus.audit.actions import (
    INTAKE_LINK_CREATE,
    INTAKE_PATIENT_SAVE,
    INTAKE_REVIEW,
    INTAKE_SAVE,
)
from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.lib.tokens import new_token, token_hash
from annulus.patients.history import save_clinical
from annulus.patients.models import Intake, IntakeLink, IntakeStatus, Patient

if TYPE_CHECKING:
    from annulus.accounts.models import User

INTAKE_LINK_DAYS = 14


def save_intake(
    intake: Intake,
    *,
    actor: User | None,
    ctx: AuditContext,
    via_patient_link: bool = False,
    submit: bool = False,
) -> Intake:
    """Save the intake's answers (a staff entry, or the patient's own through their link).

    `submit` is the patient's last page: the intake becomes submitted and waits for review.
    """
    from annulus.safety.actions import raise_intake_alerts

    if submit:
        intake.status = IntakeStatus.SUBMITTED
        intake.submitted_at = datetime.now(UTC)
    with transaction.atomic():
        save_clinical(
            intake,
            patient=intake.patient,
            user=actor,
            ctx=ctx,
            via_patient_link=via_patient_link,
            audit_action=INTAKE_PATIENT_SAVE if via_patient_link else INTAKE_SAVE,
        )
        # A red flag answered yes alerts the clinic, in the same transaction as the answer.
        raise_intake_alerts(
            intake.patient,
            intake,
            actor=actor,
            ctx=ctx,
            source="intake" if via_patient_link else "staff",
        )
    return intake


def review_intake(intake: Intake, *, actor: User | None, ctx: AuditContext) -> Intake:
    """A member of staff has read the intake."""
    intake.status = IntakeStatus.REVIEWED
    intake.reviewed_at = datetime.now(UTC)
    intake.reviewed_by = actor
    save_clinical(intake, patient=intake.patient, user=actor, ctx=ctx, audit_action=INTAKE_REVIEW)
    return intake


def issue_intake_link(
    patient: Patient, *, actor: User | None, ctx: AuditContext
) -> tuple[IntakeLink, str]:
    """A new secret intake link for the patient; their older links stop working.

    Returns the link and its token: only the token's hash is stored, so this is the one
    moment the token exists.
    """
    token = new_token()
    now = datetime.now(UTC)
    with transaction.atomic():
        IntakeLink.objects.filter(patient=patient, revoked_at__isnull=True).update(revoked_at=now)
        link = IntakeLink.objects.create(
            patient=patient,
            token_hash=token_hash(token),
            expires_at=now + timedelta(days=INTAKE_LINK_DAYS),
            created_by=actor,
        )
        record(
            INTAKE_LINK_CREATE,
            ctx=ctx,
            actor=actor,
            clinic=patient.clinic,
            patient_id=patient.pk,
            obj=link,
        )
    return link, token
