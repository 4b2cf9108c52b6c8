"""Every write of the safety loop. Actions take the acting user and an `AuditContext`."""

from annulus.safety.actions.adverse_events import prefill, record_adverse_event_from_alert
from annulus.safety.actions.alerts import (
    acknowledge_alert,
    raise_alert,
    raise_intake_alerts,
    resend_due_alerts,
)
from annulus.safety.actions.check_ins import (
    answer_check_in,
    issue_check_in_link,
    schedule_check_ins,
    send_check_in,
)
from annulus.safety.actions.outcomes import raise_worsening_alerts

__all__ = [
    "acknowledge_alert",
    "answer_check_in",
    "issue_check_in_link",
    "prefill",
    "raise_alert",
    "raise_intake_alerts",
    "raise_worsening_alerts",
    "record_adverse_event_from_alert",
    "resend_due_alerts",
    "schedule_check_ins",
    "send_check_in",
]
