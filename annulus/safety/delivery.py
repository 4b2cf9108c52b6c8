"""Alert emails and the tasks that send them, again, and to the clinical director.

Emails hold no name, date of birth or free text: the severity, the sign's code and a link to
sign in. They go through the notifications outbox, so each one's state is the backend's answer.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django_tasks import default_task_backend, task

from annulus.accounts.models import Membership, Role
from annulus.audit.actions import ALERT_DELIVERED
from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.lib.site import site_base
from annulus.notifications.actions import queue_email
from annulus.notifications.models import OutboundEmail
from annulus.safety.models import Alert, Severity

RESEND_AFTER = timedelta(minutes=15)
ESCALATE_AFTER = timedelta(minutes=30)
EMAIL_KIND = "safety.alert"
STEPS = {0: "first", 1: "resent", 2: "escalated"}


def alert_url(alert: Alert) -> str:
    return site_base() + reverse("safety:alert", args=[alert.pk])


def recipients(alert: Alert, level: int) -> list[tuple[str, str]]:
    """(role, address) pairs for this step: on-call and the patient's clinician; then directors."""
    clinic = alert.clinic
    out: list[tuple[str, str]] = []
    on_call = getattr(clinic, "on_call_email", "") or clinic.email
    if on_call:
        out.append(("on_call", on_call))
    clinician = alert.patient.clinician
    if clinician is not None and clinician.email:
        out.append(("clinician", clinician.email))
    if level >= 2:
        directors = Membership.objects.filter(clinic=clinic, role=Role.DIRECTOR).select_related(
            "user"
        )
        out += [("director", m.user.email) for m in directors if m.user.is_active]
    seen: set[str] = set()
    unique = []
    for role, address in out:
        if address.lower() not in seen:
            seen.add(address.lower())
            unique.append((role, address))
    return unique


def queue_alert_emails(alert: Alert, level: int) -> list[OutboundEmail]:
    """Queue this step's emails, once each (a repeated task finds them by their dedupe key)."""
    step = STEPS[level]
    severity = alert.get_severity_display().upper()
    subject = f"[{severity}] Alert for a patient of {alert.clinic.name}"
    if level == 1:
        subject = f"[{severity}, NOT YET ACKNOWLEDGED] Alert for a patient of {alert.clinic.name}"
    elif level == 2:
        subject = f"[{severity}, ESCALATED] Alert unacknowledged for 30 minutes"
    body = (
        f"A {alert.get_severity_display().lower()} alert ({alert.code}) was raised "
        f"from the {alert.get_source_display().lower()}.\n\n"
        f"Sign in to see the patient and acknowledge it: {alert_url(alert)}\n\n"
        "This email holds no patient details on purpose."
    )
    if level == 2:
        body = (
            "No one has acknowledged this alert for 30 minutes, so it is escalated to the "
            "clinical director.\n\n" + body
        )
    emails = []
    for role, address in recipients(alert, level):
        emails.append(
            queue_email(
                kind=EMAIL_KIND,
                to=address,
                subject=subject,
                body_text=body,
                clinic=alert.clinic,
                patient_id=alert.patient_id,
                dedupe_key=f"alert:{alert.pk}:{step}:{role}:{address.lower()}"[:120],
            )
        )
    return emails


def alert_emails(alert: Alert) -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(dedupe_key__startswith=f"alert:{alert.pk}:"))


@task()
def deliver_alert(alert_id: int) -> str:
    """Queue the first emails of a new alert and audit who they went to."""
    with transaction.atomic():
        alert = (
            Alert.objects.select_for_update(of=("self",))
            .select_related("clinic", "patient__clinician")
            .filter(pk=alert_id)
            .first()
        )
        if alert is None:
            return "nothing to do"
        emails = queue_alert_emails(alert, 0)
        if alert.last_sent_at is None:
            alert.last_sent_at = alert.created_at
            alert.save(update_fields=["last_sent_at"])
            record(
                ALERT_DELIVERED,
                ctx=AuditContext.system("task:deliver_alert"),
                clinic=alert.clinic,
                patient_id=alert.patient_id,
                obj=alert,
                details={"emails": [e.pk for e in emails], "code": alert.code},
            )
    return "sent" if emails else "no recipient"


@task()
def check_alert(alert_id: int) -> str:
    """Run at 15 and 30 minutes after an emergency alert: resend or escalate if still open."""
    from annulus.safety.actions import resend_due_alerts

    done = resend_due_alerts(datetime.now(UTC), alert_ids=[alert_id])
    return f"{len(done)} step(s)"


def schedule_checks(alert: Alert) -> None:
    """After commit: deliver now, and for an emergency check again at 15 and 30 minutes."""
    deliver_alert.enqueue(alert.pk)
    if alert.severity == Severity.EMERGENCY and default_task_backend.supports_defer:
        for after in (RESEND_AFTER, ESCALATE_AFTER):
            check_alert.using(run_after=alert.created_at + after).enqueue(alert.pk)
