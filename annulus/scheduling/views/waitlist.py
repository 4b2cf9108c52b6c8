"""The waitlist's public pages: join when no time fits, and an offer's link, page and accept.

The offer link's token is swapped for a session on first use and the page redirects to a plain
address, as the manage link does. Accepting is a POST; a second click finds the booking made by
the first (the action is idempotent). When accepting moved the patient's later booking, the
manage page says it moved (as the email does) rather than "You are booked".
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from annulus.accounts.models import public_clinic
from annulus.accounts.policy import public
from annulus.audit.actions import WAITLIST_OFFER_OPENED, WAITLIST_OFFER_REFUSED
from annulus.audit.context import AuditContext
from annulus.audit.models import Outcome
from annulus.audit.record import record
from annulus.lib.site import site_base
from annulus.scheduling import actions
from annulus.scheduling.actions.waitlist import booking_to_replace
from annulus.scheduling.forms import WaitlistJoinForm
from annulus.scheduling.links import when_label
from annulus.scheduling.models import WaitlistEntry, WaitStatus
from annulus.scheduling.views.common import (
    APPOINTMENT_KEY,
    JUST_BOOKED_KEY,
    bookable_services,
    limited,
    private,
    token_in_url,
)

OFFER_KEY = "annulus_waitlist_offer"


def _gone(request: HttpRequest, message: str, status: int) -> HttpResponse:
    context = {"page_title": _("This offer is not open"), "message": message}
    return private(render(request, "scheduling/waitlist_offer.html", context, status=status))


@public
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@limited("book.submit")
def join(request: HttpRequest) -> HttpResponse:
    """No time fits: leave your details and we email you when one frees up."""
    services = {s.slug: s for s in bookable_services(public_clinic())}
    data = request.POST if request.method == "POST" else request.GET
    service = services.get(data.get("service", ""))
    if service is None:
        return redirect("scheduling:start")
    form = WaitlistJoinForm(request.POST or None, service=service)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            actions.join_waitlist_online(
                service,
                actions.PatientDetails(
                    first_name=d["first_name"],
                    last_name=d["last_name"],
                    email=d["email"],
                    phone=d["phone"],
                    date_of_birth=d["date_of_birth"],
                    language=translation.get_language() or "en",
                ),
                ctx=AuditContext.from_request(request),
                base=site_base(request),
            )
            done = {"page_title": _("You are on the waitlist"), "service": service, "done": True}
            return private(render(request, "scheduling/waitlist_join.html", done))
    context: dict[str, Any] = {
        "page_title": _("Join the waitlist"),
        "service": service,
        "form": form,
        "hours": actions.waitlist.OFFER_HOURS,
    }
    return private(render(request, "scheduling/waitlist_join.html", context, status=status))


@public
@never_cache
@require_safe
@limited("book.manage")
def offer_link(request: HttpRequest, token: str) -> HttpResponse:
    entry = actions.find_offer(token)
    if entry is None:
        record(WAITLIST_OFFER_REFUSED, request=request, outcome=Outcome.DENIED)
        return token_in_url(_gone(request, _("This link is not valid or has been used."), 404))
    request.session.cycle_key()
    request.session[OFFER_KEY] = entry.pk
    record(
        WAITLIST_OFFER_OPENED,
        request=request,
        clinic=entry.clinic,
        patient_id=entry.patient_id,
        obj=entry,
    )
    return token_in_url(redirect("scheduling:waitlist_offer"))


@public
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@limited("book.change")
def offer(request: HttpRequest) -> HttpResponse:
    entry_id = request.session.get(OFFER_KEY)
    entry = (
        WaitlistEntry.objects.filter(pk=entry_id)
        .select_related("service__location", "clinic")
        .first()
        if entry_id
        else None
    )
    if entry is None:
        return _gone(request, _("Open the link in your email again."), 404)
    if request.method == "POST":
        try:
            appointment = actions.accept_offer(
                entry.pk, ctx=AuditContext.from_request(request), base=site_base(request)
            )
        except actions.OfferGone as exc:
            return _gone(request, exc.message, 409)
        request.session[APPOINTMENT_KEY] = appointment.pk
        if entry.offered_at and appointment.created_at < entry.offered_at:
            # Their later booking was moved to this time: the page and the email say "moved".
            return private(redirect(f"{reverse('scheduling:appointment')}?moved=1"))
        request.session[JUST_BOOKED_KEY] = True
        return private(redirect("scheduling:appointment"))
    if entry.status == WaitStatus.BOOKED and entry.appointment_id:
        request.session[APPOINTMENT_KEY] = entry.appointment_id
        return private(redirect("scheduling:appointment"))
    now = timezone.now()
    if entry.status != WaitStatus.OFFERED or not entry.offer_expires_at or not entry.offer_start:
        return _gone(request, _("This offer is no longer open."), 409)
    if entry.offer_expires_at <= now:
        return _gone(request, _("This offer has expired and has passed to the next person."), 409)
    zone = entry.service.location.zone
    replaces = booking_to_replace(entry, entry.offer_start)
    context = {
        "replaces": when_label(replaces.start, zone) if replaces else "",
        "page_title": _("A time has opened up"),
        "entry": entry,
        "service": entry.service,
        "when": when_label(entry.offer_start, zone),
        "expires": when_label(entry.offer_expires_at, zone),
    }
    return private(render(request, "scheduling/waitlist_offer.html", context))
