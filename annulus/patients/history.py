"""Change history for clinical data: every save records who, when, and each field before/after.

`save_clinical` and `delete_clinical` are the private helpers of the write actions
(`annulus/patients/actions/`, `annulus/clinical/actions.py`): views never call them. Each one
saves the row, its `ChangeRecord` and its audit event in one transaction, so the record can
always answer "who changed this, and from what?".
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models, transaction

from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.patients.events import record_changed
from annulus.patients.models import ChangeRecord, Patient

SKIP_FIELDS = {"id", "patient", "created_at", "updated_at", "created_by"}


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(instance: models.Model) -> dict[str, Any]:
    values = {}
    for field in instance._meta.concrete_fields:
        if field.name in SKIP_FIELDS:
            continue
        values[field.name] = _plain(getattr(instance, field.attname))
    return values


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, list[Any]]:
    before, after = before or {}, after or {}
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def save_clinical(
    instance: models.Model,
    *,
    patient: Patient,
    user: Any = None,
    request: Any = None,
    ctx: AuditContext | None = None,
    via_patient_link: bool = False,
    audit_action: str | None = None,
    details: dict[str, Any] | None = None,
) -> models.Model:
    """Save `instance` and record its history and an audit event, in one transaction."""
    with transaction.atomic():
        before = None
        if instance.pk is not None:
            current = type(instance)._default_manager.filter(pk=instance.pk).first()
            before = snapshot(current) if current is not None else None
        if before is None and hasattr(instance, "created_by_id") and user is not None:
            instance.created_by = user  # type: ignore[attr-defined]
        instance.save()
        after = snapshot(instance)
        changes = diff(before, after)
        label = type(instance).__name__
        if changes:
            ChangeRecord.objects.create(
                patient=patient,
                record_type=label,
                record_id=str(instance.pk),
                action="create" if before is None else "update",
                changes=changes,
                changed_by=user,
                via_patient_link=via_patient_link,
            )
        record(
            audit_action or f"{label.lower()}.{'create' if before is None else 'update'}",
            request=request,
            ctx=ctx,
            actor=user,
            clinic=patient.clinic,
            patient_id=patient.pk,
            obj=instance,
            details={"fields": sorted(changes), **(details or {})},
        )
        record_changed.send(sender=type(instance), patient=patient)
    return instance


def delete_clinical(
    instance: models.Model,
    *,
    patient: Patient,
    user: Any = None,
    request: Any = None,
    ctx: AuditContext | None = None,
) -> None:
    with transaction.atomic():
        before = snapshot(instance)
        label, pk = type(instance).__name__, instance.pk
        instance.delete()
        ChangeRecord.objects.create(
            patient=patient,
            record_type=label,
            record_id=str(pk),
            action="delete",
            changes=diff(before, None),
            changed_by=user,
        )
        record(
            f"{label.lower()}.delete",
            request=request,
            ctx=ctx,
            actor=user,
            clinic=patient.clinic,
            patient_id=patient.pk,
            details={"record_id": str(pk)},
        )
        record_changed.send(sender=type(instance), patient=patient)
