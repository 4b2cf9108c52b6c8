"""A waitlist place's own page, for someone who joined without a booking (no manage page shows
their place): the link emailed when they joined swaps for a session and the page redirects to
a plain address, as the manage link does. The page shows the place and leaves it (a POST)."""

from __future__ import annotations

import contextlib

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from annulus.accounts.policy import public
from annulus.audit.actions import APPOINTMENT_LINK_REFUSED, WAITLIST_VIEWED
from annulus.audit.context import AuditContext
from annulus.audit.models import Outcome
from annulus.audit.record import record
from annulus.scheduling import actions
from annulus.scheduling.links import day_label, find_place_by_token
from annulus.scheduling.models import OPEN, WaitlistEntry, WaitStatus
from annulus.scheduling.views.common import limited, private, token_in_url

PLACE_KEY = "annulus_waitlist_place"


def _not_found(request: HttpRequest) -> HttpResponse:
    context = {"page_title": _("We could not find your place on the waitlist")}
    return private(render(request, "scheduling/waitlist_place.html", context, status=404))


@public
@require_safe
@limited("book.manage")
def place_link(request: HttpRequest, token: str) -> HttpResponse:
    entry = find_place_by_token(token)
    if entry is None:
        record(APPOINTMENT_LINK_REFUSED, request=request, outcome=Outcome.DENIED)
        return token_in_url(_not_found(request))
    request.session.cycle_key()
    request.session[PLACE_KEY] = entry.pk
    return token_in_url(redirect("scheduling:waitlist_place"))


@public
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@limited("book.change")
def place(request: HttpRequest) -> HttpResponse:
    """GET shows where the place stands; POST leaves the waitlist (twice: still left)."""
    pk = request.session.get(PLACE_KEY)
    entry = (
        WaitlistEntry.objects.select_related("service__location", "clinic").filter(pk=pk).first()
        if isinstance(pk, int)
        else None
    )
    if entry is None:
        return _not_found(request)
    if request.method == "POST":
        # Already left, or the offer was booked or lapsed meanwhile: the page shows it.
        with contextlib.suppress(actions.NotAllowed):
            actions.remove_from_waitlist(entry, actor=None, ctx=AuditContext.from_request(request))
        return private(redirect("scheduling:waitlist_place"))
    record(
        WAITLIST_VIEWED,
        request=request,
        clinic=entry.clinic,
        patient_id=entry.patient_id,
        details={"by": "patient", "places": int(entry.status in OPEN)},
    )
    context = {
        "page_title": _("Your place on the waitlist"),
        "service": entry.service.name,
        "since": day_label(entry.joined_at, entry.service.location.zone),
        "open": entry.status in OPEN,
        "offered": entry.status == WaitStatus.OFFERED,
        "booked": entry.status == WaitStatus.BOOKED,
    }
    return private(render(request, "scheduling/waitlist_place.html", context))
