"""Record an adverse event from an alert in one step, and close the alert with it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from django.db import transaction

from annulus.audit.actions import ALERT_ADVERSE_EVENT_RECORDED
from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.clinical.actions import record_adverse_event
from annulus.clinical.models import AdverseEvent, FibrinProcedure
from annulus.safety import questions
from annulus.safety.models import AckAction, Alert, CheckIn

DESCRIPTIONS = {q.code: q.question for q in questions.QUESTIONS}
DESCRIPTIONS[questions.DISCITIS_CODE] = "Fever with back pain much worse than before the procedure"


def prefill(alert: Alert) -> dict[str, Any]:
    """The adverse-event form's starting values, from the alert and the check-in behind it."""
    onset: date = alert.created_at.astimezone(alert.clinic.zone).date()
    initial: dict[str, Any] = {
        "onset_on": onset,
        "description": f"Reported by the patient ({alert.get_source_display().lower()}): "
        + DESCRIPTIONS.get(alert.code, alert.code.replace("_", " ")),
        "discitis": alert.code == questions.DISCITIS_CODE,
    }
    if alert.source_ref.startswith("checkin:"):
        check_in = CheckIn.objects.filter(pk=int(alert.source_ref.split(":")[1])).first()
        if check_in is not None and check_in.procedure_ref.startswith("FibrinProcedure:"):
            procedure = FibrinProcedure.objects.filter(
                pk=int(check_in.procedure_ref.split(":")[1]), patient=alert.patient
            ).first()
            if procedure is not None:
                initial["procedure"] = procedure.pk
    if alert.severity == "emergency":
        initial["serious"] = "true"  # the form's own spelling of yes
    return initial


def record_adverse_event_from_alert(
    alert: Alert, event: AdverseEvent, *, actor: Any, ctx: AuditContext, note: str = ""
) -> AdverseEvent:
    """Save the event, link it to the alert, and acknowledge the alert with it: one transaction."""
    with transaction.atomic():
        current = Alert.objects.select_for_update().get(pk=alert.pk)
        if current.adverse_event_id is not None:
            return AdverseEvent.objects.get(pk=current.adverse_event_id)
        event.patient = current.patient
        record_adverse_event(event, actor=actor, ctx=ctx)
        current.adverse_event = event
        fields = ["adverse_event"]
        if current.acknowledged_at is None:
            current.acknowledged_at = datetime.now(UTC)
            current.acknowledged_by = actor
            current.action_taken = AckAction.ADVERSE_EVENT
            current.action_note = note
            fields += ["acknowledged_at", "acknowledged_by", "action_taken", "action_note"]
        current.save(update_fields=fields)
        record(
            ALERT_ADVERSE_EVENT_RECORDED,
            ctx=ctx,
            actor=actor,
            clinic=current.clinic,
            patient_id=current.patient_id,
            obj=current,
            details={"code": current.code, "adverse_event": event.pk},
        )
    alert.adverse_event, alert.acknowledged_at = event, current.acknowledged_at
    return event
