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
The emails themselves are `emails.py`. The actions never import this module: they send
`invitations_planned` on commit, and `start_timers` (connected in `signals.py`) starts the chains.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from annulus.outcomes.actions import close_window, issue_link, local_moment
from annulus.outcomes.emails import (  # noqa: F401  (re-exported: their old home)
    EMAIL_KINDS,
    REDACTED,
    email_link,
    may_email,
    minutes_needed,
    redact,
    redact_email,
    redact_links_in_emails,
    survey_url,
)
from annulus.outcomes.models import (
    PENDING_STATUSES,
    FollowUpStatus,
    Invitation,
    InvitationStatus,
    LinkPurpose,
    Response,
)

SEND_AT = time(9, 0)
CLOSE_GRACE = timedelta(minutes=5)


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


# ---- the timer -------------------------------------------------------------------------------


def start_timers(sender: Any, jobs: list[tuple[int, int]], **kwargs: Any) -> None:
    """Receiver of `invitations_planned`: start the timer chain of each (invitation, revision)."""
    for pk, revision in jobs:
        advance_task.enqueue(pk, revision)


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
