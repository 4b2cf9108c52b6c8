"""Secret survey links: issue (the token is returned once, only its hash kept), re-issue, check."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from annulus.audit.actions import OUTCOMES_LINK_ISSUE, OUTCOMES_SURVEY_OPEN
from annulus.audit.record import record
from annulus.lib.tokens import looks_like_token, new_token, token_hash
from annulus.outcomes.actions.clock import OutcomesError, local_day, window_is_open
from annulus.outcomes.emails import email_link, may_email, redact_links_in_emails
from annulus.outcomes.models import (
    PENDING_STATUSES,
    FollowUpStatus,
    Invitation,
    InvitationStatus,
    LinkPurpose,
    Response,
    SurveyLink,
)


def revoke_links(invitation: Invitation, now: datetime) -> None:
    links = SurveyLink.objects.filter(invitation=invitation, revoked_at__isnull=True)
    redact_links_in_emails(links)
    links.update(revoked_at=now)


def issue_link(
    invitation: Invitation,
    *,
    purpose: str,
    now: datetime,
    user: Any = None,
    request: HttpRequest | None = None,
    revoke_others: bool = False,
) -> tuple[SurveyLink, str]:
    """A new secret link (the token is returned once and never stored). Caller holds the lock."""
    if revoke_others:
        revoke_links(invitation, now)
    token = new_token()
    link = SurveyLink.objects.create(
        invitation=invitation,
        token_hash=token_hash(token),
        purpose=purpose,
        created_at=now,
        created_by=user,
    )
    if invitation.status == InvitationStatus.SCHEDULED:
        invitation.status, invitation.sent_at = InvitationStatus.SENT, now
        invitation.save(update_fields=["status", "sent_at", "updated_at"])
    record(
        OUTCOMES_LINK_ISSUE,
        request=request,
        actor=user,
        clinic=invitation.follow_up.patient.clinic,
        patient_id=invitation.follow_up.patient_id,
        obj=link,
        details={"purpose": purpose, "time_point": invitation.code},
    )
    return link, token


def reissue(
    invitation: Invitation,
    *,
    now: datetime | None = None,
    user: Any = None,
    request: HttpRequest | None = None,
) -> tuple[SurveyLink, str]:
    """Staff: a new link for an open window; every older link of this time point stops working.

    The new link is emailed when the patient has an email address and has not declined surveys,
    and shown to staff once so it can be given by phone or text.
    """
    now = now or timezone.now()
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("follow_up__patient__clinic")
            .get(pk=invitation.pk)
        )
        response = Response.objects.filter(invitation=invitation).first()
        if invitation.follow_up.status != FollowUpStatus.ACTIVE:
            raise OutcomesError("Follow-up is stopped: no new links.")
        if invitation.status not in PENDING_STATUSES or (response and response.finished):
            raise OutcomesError("This questionnaire is finished: there is nothing to re-issue.")
        if not window_is_open(invitation, now):
            raise OutcomesError(
                "The window for this time point is not open, so a link would not work."
            )
        link, token = issue_link(
            invitation,
            purpose=LinkPurpose.REISSUE,
            now=now,
            user=user,
            request=request,
            revoke_others=True,
        )
        if may_email(invitation.follow_up.patient):
            email_link(invitation, link, token)
    return link, token


def open_invitation(patient: Any, now: datetime) -> Invitation | None:
    """The time point whose window is open now, for the record's "fresh survey link" button."""
    today = local_day(patient.clinic, now)
    return (
        Invitation.objects.filter(
            follow_up__patient=patient,
            follow_up__status=FollowUpStatus.ACTIVE,
            status__in=PENDING_STATUSES,
            opens__lte=today,
            expires_at__gt=now,
        )
        .select_related("follow_up__patient__clinic")
        .order_by("position")
        .first()
    )


class LinkProblem:
    UNKNOWN = "unknown"
    REPLACED = "replaced"
    EXPIRED = "expired"
    USED = "used"
    NOT_OPEN = "not-open"
    CANCELLED = "cancelled"


def check_link(link: SurveyLink | None, now: datetime) -> str | None:
    """None when the link may open its survey now, else a ``LinkProblem``."""
    if link is None:
        return LinkProblem.UNKNOWN
    invitation = link.invitation
    response = Response.objects.filter(invitation=invitation).first()
    if invitation.status == InvitationStatus.COMPLETED or (response and response.submitted_at):
        return LinkProblem.USED
    if response is not None and response.closed_at is not None:
        return LinkProblem.EXPIRED
    if invitation.status == InvitationStatus.CANCELLED:
        return LinkProblem.CANCELLED
    if link.revoked_at is not None:
        return LinkProblem.REPLACED
    if now >= invitation.expires_at or invitation.status == InvitationStatus.MISSED:
        return LinkProblem.EXPIRED
    if local_day(invitation.follow_up.patient.clinic, now) < invitation.opens:
        return LinkProblem.NOT_OPEN
    return None


def find_link(token: str) -> SurveyLink | None:
    if not looks_like_token(token):
        return None
    return (
        SurveyLink.objects.select_related("invitation__follow_up__patient__clinic")
        .filter(token_hash=token_hash(token))
        .first()
    )


def link_by_id(link_id: object) -> SurveyLink | None:
    if not isinstance(link_id, int):
        return None
    return (
        SurveyLink.objects.select_related("invitation__follow_up__patient__clinic")
        .filter(pk=link_id)
        .first()
    )


def open_response(
    link: SurveyLink, *, now: datetime | None = None, request: HttpRequest | None = None
) -> Response:
    """The link's one response, created on first opening (every link of a time point shares it)."""
    now = now or timezone.now()
    invitation = link.invitation
    with transaction.atomic():
        Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
        response, created = Response.objects.get_or_create(
            invitation=invitation, defaults={"started_at": now}
        )
        record(
            OUTCOMES_SURVEY_OPEN,
            request=request,
            clinic=invitation.follow_up.patient.clinic,
            patient_id=invitation.follow_up.patient_id,
            obj=response,
            details={"time_point": invitation.code, "first": created, "link": link.pk},
        )
    return response
