"""The patient signs: on a clinic tablet (opened by staff) or through their own secure link.

As with the intake link, the token is in the URL only on the first visit; it is then kept in the
session and the page redirects to a plain address, so it does not linger in history, logs or
Referer headers. Pages are never cached. The pages are in the language of the text prepared
(`/es/consent/...` for a Spanish text), whichever address the patient opened.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from annulus.accounts.policy import public
from annulus.audit.actions import CONSENT_LINK_OPENED, CONSENT_LINK_REFUSED
from annulus.audit.context import AuditContext
from annulus.audit.models import Outcome
from annulus.audit.record import record
from annulus.consents.actions import (
    AlreadySigned,
    ConsentError,
    consent_for_token,
    sign_consent,
    signable,
)
from annulus.consents.forms import SignatureForm
from annulus.consents.models import TreatmentConsent
from annulus.consents.texts import load_text
from annulus.lib.tokens import looks_like_token

SESSION_KEY = "annulus_consent"
DONE_KEY = "annulus_consent_done"


def _in_language(name: str, consent: TreatmentConsent) -> str:
    with translation.override(consent.text_language):
        return reverse(name)


def _private(response: HttpResponse, *, no_referrer: bool = False) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    if no_referrer:
        response["Referrer-Policy"] = "no-referrer"
    return response


@public
@require_GET
def consent_start(request: HttpRequest, token: str) -> HttpResponse:
    consent = consent_for_token(token) if looks_like_token(token) else None
    if consent is None:
        record(CONSENT_LINK_REFUSED, request=request, outcome=Outcome.DENIED)
        return _private(
            render(request, "consents/public_invalid.html", status=404), no_referrer=True
        )
    request.session.cycle_key()  # a new session id once the link is used (keeps a staff login)
    request.session[SESSION_KEY] = consent.pk
    request.session.pop(DONE_KEY, None)
    record(
        CONSENT_LINK_OPENED,
        request=request,
        clinic=consent.patient.clinic,
        patient_id=consent.patient_id,
        obj=consent,
    )
    return _private(redirect(_in_language("consent_public:sign", consent)), no_referrer=True)


# The text's language named on the signing page, in the page's language and as a word in a
# sentence ("español", not the code "es"); an unknown code is shown as it is.
LANGUAGE_NAMES = {
    "en": pgettext_lazy("language name in a sentence", "English"),
    "es": pgettext_lazy("language name in a sentence", "Spanish"),
}


@public
@require_http_methods(["GET", "POST"])
def consent_sign(request: HttpRequest) -> HttpResponse:
    consent_id = request.session.get(SESSION_KEY)
    consent = (
        TreatmentConsent.objects.select_related("patient__clinic").filter(pk=consent_id).first()
        if isinstance(consent_id, int)
        else None
    )
    if consent is not None and consent.signed_at is not None:
        return _private(redirect("consent_public:done"))
    if consent is None or not signable(consent):
        return _private(render(request, "consents/public_invalid.html", status=404))
    if translation.get_language() != consent.text_language and request.method == "GET":
        return _private(redirect(_in_language("consent_public:sign", consent)))
    patient = consent.patient
    text = load_text(consent.kind, consent.text_version, consent.text_language)
    form = SignatureForm(
        request.POST or None, text=text, expected_name=f"{patient.first_name} {patient.last_name}"
    )
    if request.method == "POST" and form.is_valid():
        try:
            sign_consent(
                consent,
                typed_name=form.cleaned_data["typed_name"],
                accepted=form.accepted(),
                ctx=AuditContext.from_request(request),
            )
        except AlreadySigned:
            pass  # a double submit: the first one signed, this one shows the same result
        except ConsentError as exc:
            form.add_error(None, str(exc))
        if not form.errors:
            # The session keeps the consent: a second submit finds it signed and shows "done".
            request.session[DONE_KEY] = consent.pk
            return _private(redirect("consent_public:done"))
    context = {
        "form": form,
        "text": text,
        "language_name": LANGUAGE_NAMES.get(text.language, text.language),
        "consent": consent,
        "clinic": patient.clinic,
        "first_name": patient.first_name,
        "statement_fields": [form[f"statement_{s.id}"] for s in text.statements],
    }
    return _private(render(request, "consents/public_sign.html", context))


@public
@require_GET
def consent_done(request: HttpRequest) -> HttpResponse:
    consent_id = request.session.get(DONE_KEY) or request.session.get(SESSION_KEY)
    consent = (
        TreatmentConsent.objects.select_related("patient__clinic").filter(pk=consent_id).first()
        if isinstance(consent_id, int)
        else None
    )
    if consent is None or consent.signed_at is None:
        return _private(render(request, "consents/public_invalid.html", status=404))
    return _private(render(request, "consents/public_done.html", {"consent": consent}))
