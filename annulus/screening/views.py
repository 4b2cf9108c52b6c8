"""The public self-screen: red flags first, then a few questions, then one plain outcome.

Two steps without JavaScript: the red-flag page posts back to itself; when every answer is no it
renders the second step with a signed pass (so step two cannot be reached by skipping step one).
A finished screen redirects to its result link, `/screen/result/<token>/`.
"""

from __future__ import annotations

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from annulus.accounts.models import public_clinic
from annulus.accounts.policy import public
from annulus.lib import ratelimit
from annulus.lib.tokens import looks_like_token, token_hash
from annulus.screening import assess, red_flags
from annulus.screening.actions import record_screening
from annulus.screening.forms import CARRY_OVER_WORDING, AboutYourPainForm, RedFlagsForm
from annulus.screening.models import Outcome, ScreeningResponse
from annulus.website.site import absolute_url, booking_url

PASS_SALT = "annulus.screening.red-flags-passed"  # noqa: S105  (a signing salt)
PASS_MAX_AGE = 2 * 60 * 60  # two hours to answer step two
RATE_LIMIT = {"limit": 30, "per_seconds": 3600}
DESCRIPTION = gettext_lazy(
    "A short, private self-check: warning signs that need urgent care first, then whether an "
    "evaluation for fibrin injection could be worthwhile. No name needed."
)


def _context(request: HttpRequest, title: str, **extra: object) -> dict[str, object]:
    return {
        "page_title": title,
        "meta_description": DESCRIPTION,
        "canonical_url": absolute_url(request, reverse("screening:start")),
        **extra,
    }


def _too_many(request: HttpRequest) -> HttpResponse:
    context = _context(request, _("Please try again later"))
    return render(request, "public/too_many.html", context, status=429)


@public
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    form = RedFlagsForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        flags = form.flags()
        verdict = assess.assess_red_flags(flags)
        if verdict is None:
            # Every answer was no: on to step two, carrying a signed note that step one passed.
            passed = signing.dumps({"v": red_flags.WORDING_VERSION}, salt=PASS_SALT)
            return _step_two(request, AboutYourPainForm(), passed)
        if not ratelimit.hit(request, "screening", **RATE_LIMIT):
            return _too_many(request)
        _response, token = record_screening(
            request, clinic=public_clinic(), flags=flags, verdict=verdict
        )
        return redirect("screening:result", token=token)
    context = _context(request, _("Self-check: could an evaluation help?"), form=form, step=1)
    return render(request, "screening/start.html", context)


def _step_two(
    request: HttpRequest, form: AboutYourPainForm, passed: str, status: int = 200
) -> HttpResponse:
    context = _context(request, _("Self-check: about your pain"), form=form, passed=passed, step=2)
    return render(request, "screening/about_your_pain.html", context, status=status)


@public
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def about_your_pain(request: HttpRequest) -> HttpResponse:
    passed = request.POST.get("passed", "")
    try:
        signing.loads(passed, salt=PASS_SALT, max_age=PASS_MAX_AGE)
    except signing.BadSignature:
        # Reached without answering the warning-sign questions (or after two hours): start over.
        return redirect("screening:start")
    form = AboutYourPainForm(request.POST)
    if not form.is_valid():
        return _step_two(request, form, passed)
    if not ratelimit.hit(request, "screening", **RATE_LIMIT):
        return _too_many(request)
    verdict = assess.assess(form.answers())
    answers = {
        **{k: v for k, v in form.cleaned_data.items() if k not in ("carry_over", "veteran")},
        "below_knee": form.cleaned_data["below_knee"] == "yes",
        "veteran": form.veteran_status(),
    }
    _response, token = record_screening(
        request,
        clinic=public_clinic(),
        flags=dict.fromkeys(red_flags.FLAG_IDS, False),
        verdict=verdict,
        answers=answers,
        carry_over=form.cleaned_data["carry_over"],
        consent_wording=CARRY_OVER_WORDING,
    )
    return redirect("screening:result", token=token)


@public
@never_cache
@require_safe
def result(request: HttpRequest, token: str) -> HttpResponse:
    response = None
    if looks_like_token(token):
        response = ScreeningResponse.objects.filter(token_hash=token_hash(token)).first()
    if response is None or response.expired:
        context = _context(request, _("This result link has expired"))
        page = render(request, "screening/expired.html", context, status=404)
        page["X-Robots-Tag"] = "noindex"
        return page
    context = _context(
        request,
        str(Outcome(response.outcome).label),
        response=response,
        hide_booking=response.outcome == Outcome.URGENT_REFERRAL,
        **_result_details(response, token),
    )
    page = render(request, "screening/result.html", context)
    page["X-Robots-Tag"] = "noindex"
    return page


def _result_details(response: ScreeningResponse, token: str) -> dict[str, object]:
    if response.outcome == Outcome.URGENT_REFERRAL:
        raised = [red_flags.by_id(f) for f in red_flags.FLAG_IDS if response.red_flags.get(f)]
        return {
            "emergency": red_flags.EMERGENCY_DEPARTMENT in response.routes,
            "raised": raised,
        }
    answers = response.answers
    verdict = assess.assess(
        assess.Answers(
            age_band=answers["age_band"],
            duration=answers["duration"],
            back_pain=int(answers["back_pain"]),
            pain_pattern=answers["pain_pattern"],
            below_knee=bool(answers["below_knee"]),
            care=answers["care"],
            prior_surgery=answers["prior_surgery"],
        )
    )
    # The stored codes are the record; the wording comes from the current module.
    reasons = [r for r in verdict.reasons if r.code in response.reasons]
    details: dict[str, object] = {"reasons": reasons, "veteran": answers.get("veteran")}
    if response.outcome == Outcome.WORTH_EVALUATION:
        carry = response.carry_over_consent
        details["book_url"] = booking_url(screening_token=token if carry else None)
    return details
