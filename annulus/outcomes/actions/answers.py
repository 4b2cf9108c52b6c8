"""The patient's answers: pages, saving a page, scoring, submitting once, closing a window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from annulus.audit.actions import (
    OUTCOMES_SURVEY_SAVE,
    OUTCOMES_SURVEY_SUBMIT,
    OUTCOMES_WINDOW_CLOSE,
)
from annulus.audit.context import AuditContext
from annulus.audit.models import Outcome
from annulus.audit.record import record
from annulus.outcomes import library, time_point_scores
from annulus.outcomes.actions.clock import OutcomesError
from annulus.outcomes.catalog import Instrument, Section
from annulus.outcomes.emails import redact_links_in_emails
from annulus.outcomes.models import (
    PENDING_STATUSES,
    InstrumentResponse,
    Invitation,
    InvitationStatus,
    Response,
    SurveyLink,
)
from annulus.outcomes.scoring import AnswerError, ScoringError, score, validate_answers


@dataclass(frozen=True)
class Page:
    number: int  # 1-based
    instrument: Instrument
    sha256: str
    section: Section
    section_index: int


def survey_pages(invitation: Invitation) -> list[Page]:
    """One page per section, instrument after instrument, in the invitation's order."""
    pages: list[Page] = []
    for instrument_id in invitation.instruments:
        instrument, sha = library.instrument_in_use(instrument_id)
        for index, section in enumerate(instrument.sections):
            pages.append(Page(len(pages) + 1, instrument, sha, section, index))
    return pages


class SurveyClosed(OutcomesError):
    """The response can no longer change (submitted, or the window closed)."""


def save_section(
    response: Response,
    page: Page,
    answers: dict[str, int | None],
    *,
    now: datetime | None = None,
    request: HttpRequest | None = None,
    language: str = "en",
) -> InstrumentResponse:
    """Save one page of answers (``None``: left blank). Values are checked against the instrument;
    an AnswerError leaves everything as it was.

    `language` is the one the page's questions were shown in; it is stored with the answers
    (the last page saved names it) and never changes how they are checked or scored."""
    now = now or timezone.now()
    item_ids = {item.id for item in page.section.items}
    if set(answers) - item_ids:
        unknown = ", ".join(sorted(set(answers) - item_ids))
        raise AnswerError(page.instrument.id, [(unknown, f"not on this page: {unknown}")])
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("follow_up__patient__clinic")
            .get(pk=response.invitation_id)
        )
        response = Response.objects.get(pk=response.pk)
        if response.finished or invitation.status not in PENDING_STATUSES:
            raise SurveyClosed("These answers were already sent.")
        if now >= invitation.expires_at:
            raise SurveyClosed("The window for this questionnaire has closed.")
        part, _ = InstrumentResponse.objects.get_or_create(
            response=response,
            instrument_id=page.instrument.id,
            defaults={
                "instrument_version": page.instrument.version,
                "instrument_sha256": page.sha256,
                "expected": len(page.instrument.items),
            },
        )
        merged: dict[str, int | None] = {
            **{k: v for k, v in part.answers.items() if k not in item_ids},
            **{k: v for k, v in answers.items() if v is not None},
        }
        validate_answers(page.instrument, merged)  # raises before anything is written
        part.answers = merged
        part.answered = len(merged)
        part.language = language
        part.save()
        response.last_page = max(response.last_page, page.number)
        response.save(update_fields=["last_page", "updated_at"])
        if merged and invitation.status != InvitationStatus.PARTIAL:
            invitation.status = InvitationStatus.PARTIAL
            invitation.save(update_fields=["status", "updated_at"])
        record(
            OUTCOMES_SURVEY_SAVE,
            request=request,
            clinic=invitation.follow_up.patient.clinic,
            patient_id=invitation.follow_up.patient_id,
            obj=response,
            details={"time_point": invitation.code, "page": page.number, "language": language},
        )
    return part


def score_part(part: InstrumentResponse, now: datetime) -> InstrumentResponse:
    """Score one instrument's answers with its rule (and installed table), and store the result."""
    instrument = library.shipped(part.instrument_id)
    part.score, part.raw, part.band, part.interpretation = None, None, "", ""
    if instrument.version != part.instrument_version:
        part.score_reason = (
            f"answered on version {part.instrument_version}; version {instrument.version} is "
            "installed now, so it was not scored"
        )
        return part
    try:
        result = score(instrument, part.answers, table=library.table_for(instrument))
    except ScoringError as exc:  # missing table, a table without this entry, stray answers
        part.score_reason = str(exc)[:300]
        return part
    part.score, part.score_reason = result.value, result.reason or ""
    part.raw, part.band = result.raw, result.band or ""
    part.interpretation = (result.interpretation or "")[:200]
    part.answered, part.expected = result.answered, result.expected
    part.scored_at = now
    return part


def score_all(response: Response, invitation: Invitation, now: datetime) -> bool:
    """Score every instrument of the invitation; True when every one has a score."""
    complete = True
    for instrument_id in invitation.instruments:
        instrument, sha = library.instrument_in_use(instrument_id)
        part, _ = InstrumentResponse.objects.get_or_create(
            response=response,
            instrument_id=instrument_id,
            defaults={
                "instrument_version": instrument.version,
                "instrument_sha256": sha,
                "expected": len(instrument.items),
            },
        )
        score_part(part, now).save()
        complete = complete and part.score is not None
    return complete


def submit(
    response: Response, *, now: datetime | None = None, request: HttpRequest | None = None
) -> Response:
    """Send the answers: score each instrument and finish the response, exactly once.

    Submitting twice (a double click, a resent form) changes nothing the second time. With every
    instrument scored the time point is completed; otherwise it is kept as partial.
    """
    from annulus.safety.actions import raise_worsening_alerts

    now = now or timezone.now()
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("follow_up__patient__clinic")
            .get(pk=response.invitation_id)
        )
        response = Response.objects.get(pk=response.pk)
        if response.finished:
            return response
        if invitation.status not in PENDING_STATUSES or now >= invitation.expires_at:
            raise SurveyClosed("The window for this questionnaire has closed.")
        complete = score_all(response, invitation, now)
        raise_worsening_alerts(invitation, response, ctx=AuditContext.system("survey.submit"))
        response.submitted_at, response.partial = now, not complete
        response.save()
        invitation.status = InvitationStatus.COMPLETED if complete else InvitationStatus.PARTIAL
        invitation.completed_at = now if complete else None
        invitation.revision += 1  # no more reminders
        invitation.save()
        time_point_scores.refresh([invitation.pk])
        redact_links_in_emails(SurveyLink.objects.filter(invitation=invitation))
        record(
            OUTCOMES_SURVEY_SUBMIT,
            request=request,
            clinic=invitation.follow_up.patient.clinic,
            patient_id=invitation.follow_up.patient_id,
            obj=response,
            details={"time_point": invitation.code, "partial": not complete},
        )
    return response


def close_response(response: Response, invitation: Invitation, now: datetime) -> None:
    """The window closed (or follow-up stopped) before sending: score what was saved."""
    score_all(response, invitation, now)
    response.closed_at, response.partial = now, True
    response.save()
    invitation.status = InvitationStatus.PARTIAL


def close_window(invitation: Invitation, now: datetime) -> str:
    """At the end of the window: saved answers become a partial response; nothing saved, missed.
    Caller holds the lock."""
    response = Response.objects.filter(invitation=invitation).first()
    answered = (
        response is not None
        and InstrumentResponse.objects.filter(response=response, answered__gt=0).exists()
    )
    if response is not None and answered and not response.finished:
        close_response(response, invitation, now)
        outcome = "partial"
    elif invitation.status in (InvitationStatus.SCHEDULED, InvitationStatus.SENT):
        invitation.status = InvitationStatus.MISSED
        outcome = "missed"
    else:
        outcome = invitation.status
    invitation.save()
    time_point_scores.refresh([invitation.pk])
    redact_links_in_emails(SurveyLink.objects.filter(invitation=invitation))
    record(
        OUTCOMES_WINDOW_CLOSE,
        clinic=invitation.follow_up.patient.clinic,
        patient_id=invitation.follow_up.patient_id,
        obj=invitation,
        outcome=Outcome.SUCCESS,
        details={"time_point": invitation.code, "status": invitation.status},
    )
    return outcome
