"""The free-guide form, its thank-you page and the unsubscribe link (all public)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from annulus.accounts.models import public_clinic
from annulus.accounts.policy import public
from annulus.leads import actions
from annulus.leads.forms import GuideRequestForm, started_stamp
from annulus.lib import ratelimit
from annulus.lib.tokens import looks_like_token
from annulus.website.content import library
from annulus.website.site import absolute_url

# Five requests an hour from one address is plenty for a family sharing a connection.
RATE_LIMIT = {"limit": 5, "per_seconds": 3600}


def _seo(request: HttpRequest, title: str) -> dict[str, object]:
    return {
        "page_title": title,
        "meta_description": library().in_language(translation.get_language()).guide.description,
        "canonical_url": absolute_url(request, reverse("leads:guide")),
    }


@public
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def guide(request: HttpRequest) -> HttpResponse:
    clinic = public_clinic()
    if request.method == "POST":
        if not ratelimit.hit(request, "guide", **RATE_LIMIT):
            return render(
                request, "public/too_many.html", _seo(request, _("Try again later")), status=429
            )
        form = GuideRequestForm(request.POST)
        if form.is_valid() and clinic is not None:
            if form.spam_reason == "too_fast":
                # Autofill can beat the timer: say so honestly and let the person send again.
                actions.record_spam(request, clinic=clinic, reason=form.spam_reason)
                form = _send_again(request)
            elif form.spam_reason:
                # A filled honeypot or a forged stamp is a script: say thanks, store nothing.
                actions.record_spam(request, clinic=clinic, reason=form.spam_reason)
                return redirect("leads:thanks")
            else:
                data = form.cleaned_data
                actions.request_guide(
                    request,
                    clinic=clinic,
                    data=actions.GuideRequest(
                        first_name=data["first_name"],
                        email=data["email"],
                        phone=data["phone"],
                        heard_about=data["heard_about"],
                        consent_wording_version=form.consent_wording_version,
                        language=translation.get_language() or "en",
                    ),
                    base_url=absolute_url(request, "/"),
                )
                return redirect("leads:thanks")
        # 400 (a form to correct) does not use up the address's allowance (RateLimitMiddleware).
        status = 400 if form.errors else 503
    else:
        form, status = GuideRequestForm(), 200
    lib = library().in_language(translation.get_language())
    context = {
        **_seo(request, _("Free guide: chronic disc pain and the alternatives to fusion")),
        "form": form,
        "guide": lib.guide,
        "available": clinic is not None,
        "read_minutes": max(1, round(lib.guide.words / 200)),
    }
    return render(request, "leads/guide_form.html", context, status=status)


SEND_AGAIN = gettext_lazy(
    "Please check your details and press the button again: the form was sent very quickly "
    "(perhaps filled in by your browser), and we want to be sure a person sent it."
)


def _send_again(request: HttpRequest) -> GuideRequestForm:
    """The same answers with a fresh start stamp and a message saying what to do."""
    data = request.POST.copy()
    data["started"] = started_stamp()
    form = GuideRequestForm(data)
    form.is_valid()
    form.add_error(None, SEND_AGAIN)
    return form


@public
@require_safe
def thanks(request: HttpRequest) -> HttpResponse:
    context = {**_seo(request, _("Your guide is on its way"))}
    response = render(request, "leads/thanks.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


@public
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks, POST unsubscribes: mail scanners open links, and that must not unsubscribe."""
    lead = actions.find_lead_by_unsubscribe_token(token) if looks_like_token(token) else None
    context: dict[str, object] = {"page_title": _("Unsubscribe"), "lead_found": lead is not None}
    if lead is None:
        response = render(request, "leads/unsubscribe.html", context, status=404)
    else:
        if request.method == "POST":
            actions.unsubscribe(request, lead)
        context["done"] = lead.unsubscribed
        response = render(request, "leads/unsubscribe.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response
