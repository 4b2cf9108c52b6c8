"""Timers and emails: the invitation when a window opens, two reminders, and the window's close.

Each invitation has one chain of timers (django-tasks with ``run_after``): a timer does whatever
is due at that moment (``advance``) and sets the next one. Timers carry the invitation's
``revision``; re-planning, submitting or stopping bumps it, so a timer set for old dates does
nothing. ``advance`` is idempotent: running it twice sends nothing twice.

When (clinic's zone): the invitation at 09:00 on the day the window opens; the first reminder at
09:00 on the due day (or half-way through a window whose due day is its first day), the second at
09:00 three days before the window closes; the window closes at midnight after its last day.
Reminders that fell due before the first email (a late enrolment) are skipped, not sent in a burst.

Every email carries its own link (reminders too: only hashes are kept, so an old link cannot be
sent again) and goes through the notifications outbox, whose state is the mail backend's answer.
Once an email is sent, or its link stops working, the link is removed from the stored copy.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from annulus.notifications.actions import queue_email
from annulus.notifications.models import OutboundEmail
from annulus.outcomes import library
from annulus.outcomes.actions import close_window, issue_link, local_moment
from annulus.outcomes.models import (
    PENDING_STATUSES,
    FollowUpStatus,
    Invitation,
    InvitationStatus,
    LinkPurpose,
    Response,
    SurveyLink,
)
from annulus.patients.models import Consent, ConsentKind, Patient

SEND_AT = time(9, 0)
CLOSE_GRACE = timedelta(minutes=5)
EMAIL_KINDS = ("outcomes.survey.invitation", "outcomes.survey.reminder")
_LINK_IN_TEXT = re.compile(r"(/survey/)[A-Za-z0-9_-]{20,}/")
REDACTED = "[link removed after sending]"


# ---- when --------------------------------------------------------------------------------------


def reminder_days(invitation: Invitation) -> tuple[date, ...]:
    opens, due, closes = invitation.opens, invitation.due, invitation.closes
    first = due if due > opens else opens + timedelta(days=max(1, (closes - opens).days // 2))
    second = closes - timedelta(days=3)
    days = sorted({d for d in (first, second) if opens < d <= closes})
    return tuple(days)


def milestones(invitation: Invitation) -> list[tuple[str, datetime]]:
    clinic = invitation.follow_up.patient.clinic
    points = [("invitation", local_moment(clinic, invitation.opens, SEND_AT))]
    points += [
        (f"reminder-{n}", local_moment(clinic, day, SEND_AT))
        for n, day in enumerate(reminder_days(invitation), start=1)
    ]
    points.append(("close", invitation.expires_at + CLOSE_GRACE))
    return points


def next_milestone(invitation: Invitation, now: datetime) -> datetime | None:
    if (
        invitation.follow_up.status != FollowUpStatus.ACTIVE
        or invitation.status not in PENDING_STATUSES
    ):
        return None
    later = [moment for _, moment in milestones(invitation) if moment > now]
    return min(later) if later else None


# ---- who -----------------------------------------------------------------------------------


def may_email(patient: Patient) -> bool:
    """An address, and no refusal of follow-up surveys (the latest decision counts)."""
    if not patient.email:
        return False
    latest = (
        Consent.objects.filter(patient=patient, kind=ConsentKind.OUTCOME_SURVEYS)
        .order_by("-given_at", "-id")
        .first()
    )
    return latest is None or latest.granted


# ---- the timer -------------------------------------------------------------------------------


@task()
def advance_task(invitation_id: int, revision: int) -> str:
    """One timer of an invitation's chain."""
    return advance(invitation_id, now=timezone.now(), revision=revision, chain=True)


def advance(
    invitation_id: int, *, now: datetime, revision: int | None = None, chain: bool = False
) -> str:
    """Do what is due for this invitation at ``now``; with ``chain``, set the next timer."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("follow_up__patient__clinic")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None:
            return "gone"
        if revision is not None and invitation.revision != revision:
            return "stale"
        outcome = _advance_locked(invitation, now)
        if chain:
            moment = next_milestone(invitation, now)
            if moment is not None:
                pk, rev = invitation.pk, invitation.revision
                transaction.on_commit(lambda: advance_task.using(run_after=moment).enqueue(pk, rev))
    return outcome


def _advance_locked(invitation: Invitation, now: datetime) -> str:
    follow_up = invitation.follow_up
    if follow_up.status != FollowUpStatus.ACTIVE or invitation.status not in PENDING_STATUSES:
        return "nothing to do"
    response = Response.objects.filter(invitation=invitation).first()
    if response is not None and response.finished:
        return "nothing to do"
    if now >= invitation.expires_at:
        return close_window(invitation, now)
    clinic = follow_up.patient.clinic
    if now < local_moment(clinic, invitation.opens, SEND_AT):
        return "waiting for the window"
    reminders_due = sum(
        1
        for name, moment in milestones(invitation)
        if name.startswith("reminder") and moment <= now
    )
    patient = follow_up.patient
    if invitation.status == InvitationStatus.SCHEDULED:
        if not may_email(patient):
            return "no email: staff can give a link"
        link, token = issue_link(invitation, purpose=LinkPurpose.INVITATION, now=now)
        email_link(invitation, link, token)
        invitation.reminders_sent = reminders_due
        invitation.save(update_fields=["reminders_sent", "updated_at"])
        return "invited"
    if invitation.reminders_sent >= reminders_due:
        return "nothing due"
    invitation.reminders_sent = reminders_due
    invitation.save(update_fields=["reminders_sent", "updated_at"])
    if not may_email(patient):
        return "no email"
    purpose = LinkPurpose.REMINDER_1 if reminders_due == 1 else LinkPurpose.REMINDER_2
    link, token = issue_link(invitation, purpose=purpose, now=now)
    email_link(invitation, link, token)
    return purpose


# ---- the email -------------------------------------------------------------------------------


def site_base(invitation: Invitation) -> str:
    base = str(getattr(settings, "ANNULUS_SITE_URL", "") or invitation.follow_up.site_url or "")
    return (base or "http://localhost:8000").rstrip("/")


def survey_url(invitation: Invitation, token: str) -> str:
    return f"{site_base(invitation)}/survey/{token}/"


def minutes_needed(invitation: Invitation) -> int:
    items = sum(len(library.shipped(i).items) for i in invitation.instruments)
    return max(2, round(items * 10 / 60))  # about ten seconds an item


def email_link(invitation: Invitation, link: SurveyLink, token: str) -> OutboundEmail:
    """Queue the email that carries ``link``. No name and no health detail in the email."""
    patient = invitation.follow_up.patient
    clinic = patient.clinic
    reminder = link.purpose in (LinkPurpose.REMINDER_1, LinkPurpose.REMINDER_2)
    context: dict[str, Any] = {
        "clinic": clinic,
        "label": invitation.label,
        "url": survey_url(invitation, token),
        "closes": invitation.closes,
        "minutes": minutes_needed(invitation),
        "reminder": reminder,
        "reissued": link.purpose == LinkPurpose.REISSUE,
    }
    subject = (
        f"Reminder: your questionnaire from {clinic.name}"
        if reminder
        else f"Your questionnaire from {clinic.name}"
    )
    email = queue_email(
        kind=EMAIL_KINDS[1] if reminder else EMAIL_KINDS[0],
        to=patient.email,
        subject=subject[:200],
        body_text=render_to_string("outcomes/email/survey.txt", context),
        clinic=clinic,
        patient_id=patient.pk,
        dedupe_key=f"outcomes.link:{link.pk}",
    )
    link.email = email
    link.save(update_fields=["email"])
    return email


def redact(text: str) -> str:
    return _LINK_IN_TEXT.sub(rf"\g<1>{REDACTED}/", text)


def redact_email(email_id: int) -> None:
    email = OutboundEmail.objects.filter(pk=email_id).only("body_text", "body_html").first()
    if email is None:
        return
    text, html = redact(email.body_text), redact(email.body_html)
    if (text, html) != (email.body_text, email.body_html):
        OutboundEmail.objects.filter(pk=email_id).update(body_text=text, body_html=html)


def redact_links_in_emails(links: QuerySet[SurveyLink]) -> None:
    """Remove the links from the stored copies of these links' emails (the link is dead)."""
    for email_id in links.exclude(email=None).values_list("email_id", flat=True):
        redact_email(email_id)
