"""The patient row itself: create, update, and move through the stages of the path."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from annulus.audit.actions import PATIENT_CREATE, PATIENT_STAGE, PATIENT_UPDATE
from annulus.audit.context import AuditContext
from annulus.patients.events import treatment_anchor_changed
from annulus.patients.history import save_clinical
from annulus.patients.models import Patient

if TYPE_CHECKING:
    from annulus.accounts.models import Clinic, User


def create_patient(
    clinic: Clinic,
    *,
    actor: User | None,
    ctx: AuditContext,
    via_patient_link: bool = False,
    **fields: Any,
) -> Patient:
    """A new patient of `clinic` with `fields` (model field names).

    One transaction: the row, one `ChangeRecord` (action "create", every value before and after)
    and one `patient.create` audit event. `via_patient_link` marks a patient's own entry (a
    booking page) rather than a member of staff's.
    """
    patient = Patient(clinic=clinic, **fields)
    with transaction.atomic():
        save_clinical(
            patient,
            patient=patient,
            user=actor,
            ctx=ctx,
            via_patient_link=via_patient_link,
            audit_action=PATIENT_CREATE,
        )
        if patient.procedure_date is not None:
            treatment_anchor_changed.send(sender=Patient, patient=patient)
    return patient


def update_patient(
    patient: Patient,
    *,
    actor: User | None,
    ctx: AuditContext,
    via_patient_link: bool = False,
    **changes: Any,
) -> Patient:
    """Change the patient's fields (model field names) and record who changed what, from what.

    A changed planned procedure date re-plans the follow-up (`treatment_anchor_changed`).
    """
    for name, value in changes.items():
        setattr(patient, name, value)
    with transaction.atomic():
        planned = (
            Patient.objects.filter(pk=patient.pk).values_list("procedure_date", flat=True).first()
        )
        save_clinical(
            patient,
            patient=patient,
            user=actor,
            ctx=ctx,
            via_patient_link=via_patient_link,
            audit_action=PATIENT_UPDATE,
        )
        if patient.procedure_date != planned:
            treatment_anchor_changed.send(sender=Patient, patient=patient)
    return patient


def change_stage(
    patient: Patient,
    stage: str,
    *,
    actor: User | None,
    ctx: AuditContext,
    reason: str = "",
) -> Patient:
    """Move the patient to `stage`; nothing happens when they are there already.

    The row is locked and read again, so a colleague's concurrent edit of other details survives.
    `reason` is a code naming what moved them (e.g. "candidacy.accepted"), never free text: it
    goes into the audit event's details.
    """
    return move_stage(
        patient, stage, actor=actor, ctx=ctx, audit_action=PATIENT_STAGE, reason=reason
    )


def move_stage(
    patient: Patient,
    stage: str,
    *,
    actor: User | None,
    ctx: AuditContext,
    audit_action: str,
    reason: str = "",
    procedure_date: Any = None,
) -> Patient:
    """`change_stage` for the actions that move a patient as part of a larger write.

    `procedure_date` is set only when the patient has none yet (the first procedure anchors the
    follow-up; a later one leaves it alone). One change record and one audit event, and none
    when nothing changed.
    """
    with transaction.atomic():
        current = Patient.objects.select_for_update().select_related("clinic").get(pk=patient.pk)
        before = (current.stage, current.procedure_date)
        current.stage = stage
        if procedure_date is not None and current.procedure_date is None:
            current.procedure_date = procedure_date
        if (current.stage, current.procedure_date) != before:
            save_clinical(
                current,
                patient=current,
                user=actor,
                ctx=ctx,
                audit_action=audit_action,
                details={"reason": reason} if reason else None,
            )
    patient.stage, patient.procedure_date = current.stage, current.procedure_date
    return patient
