"""Raise, acknowledge, resend and escalate alerts. Each write: one transaction, audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from annulus.audit.actions import ALERT_ACKNOWLEDGED, ALERT_ESCALATED, ALERT_RAISED, ALERT_RESENT
from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.safety import delivery
from annulus.safety.models import AckAction, Alert, Severity, Source
from annulus.screening import red_flags


def raise_alert(
    *,
    patient: Any,
    severity: str,
    source: str,
    code: str,
    source_ref: str,
    answer: dict[str, Any] | None = None,
    actor: Any = None,
    ctx: AuditContext,
) -> Alert | None:
    """Open an alert inside the caller's transaction; deliver it once that commits.

    The same sign from the same record while an alert for it is still open raises nothing new
    (a patient saving a page twice is one alert). Returns the new alert, or None.
    """
    if severity not in Severity.values or source not in Source.values:
        raise ValueError(f"severity/source: unknown value {severity!r}/{source!r}")
    with transaction.atomic():
        open_alerts = Alert.objects.filter(
            patient=patient, code=code, source_ref=source_ref, acknowledged_at__isnull=True
        )
        if open_alerts.exists():
            return None
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    clinic=patient.clinic,
                    patient=patient,
                    severity=severity,
                    source=source,
                    code=code,
                    source_ref=source_ref,
                    answer=answer or {},
                    created_at=datetime.now(UTC),
                )
        except IntegrityError:  # a concurrent save raised it first
            return None
        record(
            ALERT_RAISED,
            ctx=ctx,
            actor=actor,
            clinic=patient.clinic,
            patient_id=patient.pk,
            obj=alert,
            details={"code": code, "severity": severity, "source": source, "ref": source_ref},
        )
        transaction.on_commit(lambda: delivery.schedule_checks(alert))
    return alert


def raise_intake_alerts(
    patient: Any, answers: Any, *, actor: Any = None, ctx: AuditContext, source: str = "intake"
) -> list[Alert]:
    """One alert per red flag answered yes on an intake (`answers`: the Intake or a dict)."""
    values = (
        answers
        if isinstance(answers, dict)
        else {f: getattr(answers, f, None) for f in red_flags.FLAG_IDS}
    )
    intake_id = values.get("id") if isinstance(answers, dict) else getattr(answers, "pk", None)
    ref = f"intake:{intake_id or patient.pk}"
    # One alert per sign per intake: saving the intake again (a review, another section) with
    # the same yes raises nothing new, even once the first alert is acknowledged.
    seen = set(Alert.objects.filter(patient=patient, source_ref=ref).values_list("code", flat=True))
    raised = []
    for flag in red_flags.raised(values):
        if flag.id in seen:
            continue
        alert = raise_alert(
            patient=patient,
            severity=red_flags.severity_for(flag),
            source=source,
            code=flag.id,
            source_ref=ref,
            answer={"question": flag.id, "answer": "yes", "wording": red_flags.WORDING_VERSION},
            actor=actor,
            ctx=ctx,
        )
        if alert is not None:
            raised.append(alert)
    return raised


def acknowledge_alert(
    alert: Alert, *, actor: Any, ctx: AuditContext, action: str, note: str = ""
) -> tuple[Alert, bool]:
    """Record who acknowledged the alert and what they did. Returns (alert, newly acknowledged).

    A second acknowledgement (a double click, a colleague at the same time) changes nothing and
    returns False. An unknown or missing action is refused, naming the field.
    """
    if action not in AckAction.values:
        raise ValidationError({"action": "Choose the action you took."})
    note = (note or "").strip()
    if action == AckAction.OTHER and not note:
        raise ValidationError({"note": "Say what you did when you choose “Other”."})
    with transaction.atomic():
        current = Alert.objects.select_for_update().get(pk=alert.pk)
        if current.acknowledged_at is not None:
            return current, False
        current.acknowledged_at = datetime.now(UTC)
        current.acknowledged_by = actor
        current.action_taken = action
        current.action_note = note
        current.save(
            update_fields=["acknowledged_at", "acknowledged_by", "action_taken", "action_note"]
        )
        record(
            ALERT_ACKNOWLEDGED,
            ctx=ctx,
            actor=actor,
            clinic=current.clinic,
            patient_id=current.patient_id,
            obj=current,
            details={"code": current.code, "action": action, "has_note": bool(note)},
        )
    return current, True


def resend_due_alerts(now: datetime, *, alert_ids: Iterable[int] | None = None) -> list[Alert]:
    """Send open emergency alerts again after 15 minutes and escalate after 30.

    Safe to call as often as a scheduler likes: each step happens once per alert. Returns the
    alerts that moved a step.
    """
    due = Alert.objects.filter(
        severity=Severity.EMERGENCY,
        acknowledged_at__isnull=True,
        escalation_level__lt=2,
        created_at__lte=now - delivery.RESEND_AFTER,
    )
    if alert_ids is not None:
        due = due.filter(pk__in=list(alert_ids))
    moved = []
    for alert_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            alert = (
                Alert.objects.select_for_update(of=("self",))
                .select_related("clinic", "patient__clinician")
                .get(pk=alert_id)
            )
            if alert.acknowledged_at is not None:
                continue
            age = now - alert.created_at
            level = 2 if age >= delivery.ESCALATE_AFTER else 1
            if level <= alert.escalation_level:
                continue
            emails = delivery.queue_alert_emails(alert, level)
            alert.escalation_level, alert.last_sent_at = level, now
            alert.save(update_fields=["escalation_level", "last_sent_at"])
            record(
                ALERT_ESCALATED if level == 2 else ALERT_RESENT,
                ctx=AuditContext.system("resend_due_alerts"),
                clinic=alert.clinic,
                patient_id=alert.patient_id,
                obj=alert,
                details={"code": alert.code, "level": level, "emails": [e.pk for e in emails]},
            )
            moved.append(alert)
    return moved
