"""The patient's questionnaire, through a secret link: one section per page, saved as they go.

The token is in the URL only on the first visit; it is then kept in the session and the page
redirects to a plain address, so it does not linger in history, logs or Referer headers. Every
page sends ``Referrer-Policy: no-referrer`` and ``Cache-Control: no-store``. Each form carries the
response's reference: a page that belongs to another link's survey (two people, one phone, two
tabs) is refused instead of being saved into the wrong record.

That reference is also the page's CSRF defence. Under ``no-referrer`` browsers send
``Origin: null`` with a form post, which Django's CSRF check refuses, so the survey page is
exempt from it and checks instead that the post carries the response's own 128-bit reference,
which only pages served to this session show: the synchronizer-token pattern. (The session cookie
is also SameSite=Lax, so another site's form post arrives without it.)
"""

from __future__ import annotations

import contextlib
import dataclasses
import secrets
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from annulus.accounts.policy import public
from annulus.audit.actions import OUTCOMES_LINK_REFUSED, OUTCOMES_SURVEY_WRONG_SURVEY
from annulus.audit.models import Outcome
from annulus.audit.record import record
from annulus.outcomes import actions, own_wording
from annulus.outcomes.actions import LinkProblem, Page, SurveyClosed
from annulus.outcomes.forms import SectionForm
from annulus.outcomes.models import InstrumentResponse, Invitation, Response, SurveyLink
from annulus.outcomes.scoring import AnswerError

SESSION_KEY = "annulus_survey_link"


def _private(response: HttpResponse) -> HttpResponse:
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


def _link_page(
    request: HttpRequest, problem: str, link: SurveyLink | None, status: int
) -> HttpResponse:
    invitation = link.invitation if link else None
    context = {
        "problem": problem,
        "invitation": invitation,
        "clinic": invitation.follow_up.patient.clinic if invitation else None,
    }
    return _private(render(request, "outcomes/survey_link_problem.html", context, status=status))


@public
def survey_start(request: HttpRequest, token: str) -> HttpResponse:
    now = timezone.now()
    link = actions.find_link(token)
    problem = actions.check_link(link, now)
    if link is None or problem not in (None, LinkProblem.USED):
        record(
            OUTCOMES_LINK_REFUSED,
            request=request,
            outcome=Outcome.DENIED,
            patient_id=link.invitation.follow_up.patient_id if link else None,
            details={"problem": problem or ""},
        )
        return _link_page(request, problem or LinkProblem.UNKNOWN, link, 404 if not link else 410)
    request.session.cycle_key()
    request.session[SESSION_KEY] = link.pk
    if problem is None:
        actions.open_response(link, now=now, request=request)
    return _private(redirect("survey:page"))


def _saved_answers(response: Response) -> dict[str, dict[str, Any]]:
    return {
        part.instrument_id: part.answers
        for part in InstrumentResponse.objects.filter(response=response)
    }


def _unanswered(pages: list[Page], saved: dict[str, dict[str, Any]]) -> list[tuple[Page, int]]:
    gaps = []
    for page in pages:
        answers = saved.get(page.instrument.id, {})
        missing = sum(1 for item in page.section.items if answers.get(item.id) is None)
        if missing:
            gaps.append((page, missing))
    return gaps


def _shown(page: Page) -> tuple[Page, bool]:
    """The page as the patient reads it, and whether its questions are shown in English.

    Our own questions are in the patient's language; licensed ones and the PHQ-9 stay English
    (see own_wording). Only the words change: ids and values, saved and scored, are the same.
    """
    instrument = own_wording.in_language(page.instrument)
    if instrument is None:
        return page, True
    section = instrument.sections[page.section_index]
    return dataclasses.replace(page, instrument=instrument, section=section), False


def _shown_language(in_english: bool) -> str:
    """The language the page's questions were shown in, stored with the answers."""
    if in_english:
        return "en"
    return translation.get_language() or settings.LANGUAGE_CODE


def _page_number(request: HttpRequest, response: Response, total: int) -> int:
    try:
        number = int(request.GET.get("page", ""))
    except ValueError:
        number = min(response.last_page + 1, total + 1)  # resume where they stopped
    return min(max(number, 1), total + 1)


@public
@csrf_exempt  # the response's reference stands in for the CSRF token: see the module docstring
@require_http_methods(["GET", "POST"])
def survey_page(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    link = actions.link_by_id(request.session.get(SESSION_KEY))
    problem = actions.check_link(link, now)
    if link is None:
        return _link_page(request, LinkProblem.UNKNOWN, None, 404)
    invitation: Invitation = link.invitation
    if problem == LinkProblem.USED:
        return _done(request, invitation)
    if problem is not None:
        return _link_page(request, problem, link, 410)
    response = Response.objects.filter(invitation=invitation).first() or actions.open_response(
        link, now=now, request=request
    )
    pages = actions.survey_pages(invitation)
    number = _page_number(request, response, len(pages))
    base = {
        "clinic": invitation.follow_up.patient.clinic,
        "invitation": invitation,
        "steps": len(pages) + 1,
        "step": number,
        "response": response,
    }
    if request.method == "POST" and not secrets.compare_digest(
        request.POST.get("ref", ""), response.ref
    ):
        record(
            OUTCOMES_SURVEY_WRONG_SURVEY,
            request=request,
            outcome=Outcome.DENIED,
            patient_id=invitation.follow_up.patient_id,
        )
        return _private(render(request, "outcomes/survey_wrong_link.html", base, status=409))
    if number == len(pages) + 1:
        return _review(request, response, pages, base)
    page = pages[number - 1]
    shown, in_english = _shown(page)
    saved = _saved_answers(response).get(page.instrument.id, {})
    if request.method == "POST":
        form = SectionForm(request.POST, section=shown.section)
        if form.is_valid():
            try:
                actions.save_section(
                    response,
                    page,
                    form.answers(),
                    now=now,
                    request=request,
                    language=_shown_language(in_english),
                )
            except AnswerError as exc:
                form.add_error(None, "; ".join(exc.problems))
            except SurveyClosed:
                return _private(redirect("survey:page"))
            else:
                return _private(redirect(f"{reverse('survey:page')}?page={number + 1}"))
    else:
        initial = {item.id: saved.get(item.id) for item in page.section.items}
        form = SectionForm(initial={**initial, "ref": response.ref}, section=shown.section)
    context = {
        **base,
        "form": form,
        "page": shown,
        "first_page_of_instrument": page.section_index == 0,
        "sections_in_instrument": len(page.instrument.sections),
        "minutes": _minutes(invitation),
        # Licensed questionnaires need the clinic's licensed Spanish text, and the PHQ-9's
        # official Spanish is not reproduced: the page says so and marks the questions English.
        "english_questions": in_english,
        "phq9": page.instrument.id == "phq9",
    }
    return _private(render(request, "outcomes/survey_page.html", context))


def _minutes(invitation: Invitation) -> int:
    from annulus.outcomes.delivery import minutes_needed

    return minutes_needed(invitation)


def _review(
    request: HttpRequest, response: Response, pages: list[Page], base: dict[str, Any]
) -> HttpResponse:
    if request.method == "POST" and "send" in request.POST:
        with contextlib.suppress(SurveyClosed):  # closed meanwhile: the next page says so
            actions.submit(response, request=request)
        return _private(redirect("survey:page"))
    gaps = [(_shown(page)[0], n) for page, n in _unanswered(pages, _saved_answers(response))]
    context = {**base, "gaps": gaps, "unanswered": sum(n for _, n in gaps)}
    return _private(render(request, "outcomes/survey_review.html", context))


def _done(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    upcoming = (
        Invitation.objects.filter(
            follow_up=invitation.follow_up, position__gt=invitation.position, status="scheduled"
        )
        .order_by("position")
        .first()
    )
    context = {
        "clinic": invitation.follow_up.patient.clinic,
        "invitation": invitation,
        "upcoming": upcoming,
        "response": Response.objects.filter(invitation=invitation).first(),
    }
    return _private(render(request, "outcomes/survey_done.html", context))
