"""Public pages: the referring doctor's form, and the consult note the doctor opens by link.

The note's link works like the intake link: its token is swapped for a session on first use,
then the page redirects to an address without it. Every opening and reading is audited.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from annulus.accounts.models import public_clinic
from annulus.accounts.policy import public
from annulus.audit.actions import CONSULT_NOTE_LINK_REFUSED
from annulus.audit.context import AuditContext
from annulus.audit.models import Outcome
from annulus.audit.record import record
from annulus.documents.actions import DocumentRefused
from annulus.frontoffice import note_actions, referral_actions
from annulus.frontoffice.public_forms import ReferralForm
from annulus.leads.forms import started_stamp
from annulus.lib import ratelimit
from annulus.lib.tokens import looks_like_token

# Doctors' offices share a connection; a dozen referrals an hour from one address is plenty.
RATE_LIMIT = {"limit": 12, "per_seconds": 3600}
SESSION_KEY = "annulus_consult_note_share"
SEND_AGAIN = (
    "Please check the details and press the button again: the form was sent very quickly "
    "(perhaps filled in by your browser), and we want to be sure a person sent it. Choose the "
    "files again if you attached any."
)


def _page(request: HttpRequest, template: str, context: dict[str, object], status: int = 200):
    response = render(request, template, context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


@public
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def refer(request: HttpRequest) -> HttpResponse:
    clinic = public_clinic()
    context: dict[str, object] = {"page_title": "Refer a patient", "available": clinic is not None}
    if request.method != "POST":
        return _page(request, "frontoffice/refer.html", {**context, "form": ReferralForm()})
    if not ratelimit.hit(request, "referral", **RATE_LIMIT):
        return _page(request, "public/too_many.html", {"page_title": "Try again later"}, 429)
    form = ReferralForm(request.POST, request.FILES)
    ctx = AuditContext.from_request(request)
    if form.is_valid() and clinic is not None:
        if form.spam_reason == "too_fast":
            # Autofill can beat the timer: say so honestly and let the person send again.
            referral_actions.record_spam(clinic, reason=form.spam_reason, ctx=ctx)
            data = request.POST.copy()
            data["started"] = started_stamp()
            form = ReferralForm(data)
            form.is_valid()
            form.add_error(None, SEND_AGAIN)
        elif form.spam_reason:
            # A filled honeypot or a forged stamp is a script: say thanks, store nothing.
            referral_actions.record_spam(clinic, reason=form.spam_reason, ctx=ctx)
            return redirect("referral_public:thanks")
        else:
            try:
                referral_actions.receive_referral(clinic, _incoming(form), ctx=ctx)
            except DocumentRefused as exc:
                form.add_error("attachments", f"Letters or reports: {exc.message}")
            except referral_actions.ReferralError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("referral_public:thanks")
    # 400 (a form to correct) gives back the address's allowance (RateLimitRefundMiddleware).
    status = 400 if form.errors else 503
    return _page(request, "frontoffice/refer.html", {**context, "form": form}, status)


def _incoming(form: ReferralForm) -> referral_actions.IncomingReferral:
    data = form.cleaned_data
    return referral_actions.IncomingReferral(
        doctor=referral_actions.DoctorDetails(
            name=" ".join(data["doctor_name"].split()),
            practice=data["practice"].strip(),
            npi=data["npi"],
            email=(data["doctor_email"] or "").lower(),
            fax=data["doctor_fax"],
        ),
        first_name=" ".join(data["first_name"].split()),
        last_name=" ".join(data["last_name"].split()),
        email=data["email"],
        phone=data["phone"],
        date_of_birth=data["date_of_birth"],
        reason=data["reason"].strip(),
        attachments=list(data["attachments"]),
    )


@public
@require_safe
def thanks(request: HttpRequest) -> HttpResponse:
    return _page(request, "frontoffice/refer_thanks.html", {"page_title": "Referral received"})


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@public
@require_safe
def note_start(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: swap the token for a session, then drop it from the address."""
    share = note_actions.share_for_token(token) if looks_like_token(token) else None
    if share is None:
        record(CONSULT_NOTE_LINK_REFUSED, request=request, outcome=Outcome.DENIED)
        response = _private(render(request, "frontoffice/note_invalid.html", status=404))
        response["Referrer-Policy"] = "no-referrer"
        return response
    request.session.cycle_key()
    request.session[SESSION_KEY] = share.pk
    note_actions.record_opening(share, ctx=AuditContext.from_request(request))
    response = _private(redirect("consult_note_public:note"))
    response["Referrer-Policy"] = "no-referrer"
    return response


@public
@require_safe
def note(request: HttpRequest) -> HttpResponse:
    share = note_actions.live_share(request.session.get(SESSION_KEY))
    if share is None:
        return _private(render(request, "frontoffice/note_invalid.html", status=404))
    local = share.expires_at.astimezone(share.patient.clinic.zone) if share.expires_at else None
    context = {"share": share, "patient": share.patient, "clinic": share.patient.clinic}
    return _private(render(request, "frontoffice/note.html", {**context, "expires_local": local}))


@public
@require_safe
def note_file(request: HttpRequest) -> HttpResponse:
    share = note_actions.live_share(request.session.get(SESSION_KEY))
    if share is None:
        return _private(render(request, "frontoffice/note_invalid.html", status=404))
    try:
        data = note_actions.read_note(share, ctx=AuditContext.from_request(request))
    except note_actions.NoteUnavailable as exc:
        text = f"The consult note cannot be shown: {exc}. Please call the clinic."
        return _private(HttpResponse(text, status=409, content_type="text/plain"))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="consult-note-{share.pk}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return _private(response)
