"""The patient's own appointment: the manage link, the booked page, its .ics, change, cancel,
the patient's places on waitlists, which they can leave from here, and a join of the waitlist
for an earlier time of this appointment's service."""

from __future__ import annotations

import contextlib
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from annulus.accounts.policy import public
from annulus.audit.actions import APPOINTMENT_LINK_OPENED, APPOINTMENT_LINK_REFUSED
from annulus.audit.context import AuditContext
from annulus.audit.models import Outcome
from annulus.audit.record import record
from annulus.lib.site import site_base
from annulus.scheduling import actions
from annulus.scheduling.forms import parse_instant
from annulus.scheduling.ics import appointment_ics, ics_filename
from annulus.scheduling.links import day_label, find_by_manage_token, time_label
from annulus.scheduling.models import Appointment, Status, WaitlistEntry, WaitStatus
from annulus.scheduling.upcoming import open_waitlist_places
from annulus.scheduling.views.common import (
    APPOINTMENT_KEY,
    JUST_BOOKED_KEY,
    calendar_context,
    limited,
    private,
    slot_summary,
    token_in_url,
    zone_note,
)


def _session_appointment(request: HttpRequest) -> Appointment | None:
    pk = request.session.get(APPOINTMENT_KEY)
    if not isinstance(pk, int):
        return None
    return (
        Appointment.objects.select_related("service", "location", "clinic", "patient")
        .filter(pk=pk)
        .first()
    )


def _not_found(request: HttpRequest) -> HttpResponse:
    context = {"page_title": _("We could not find your appointment"), "hide_booking": False}
    return private(render(request, "scheduling/manage_invalid.html", context, status=404))


def _waitlist_context(appointment: Appointment) -> list[dict[str, Any]]:
    zone = appointment.location.zone
    return [
        {
            "pk": entry.pk,
            "service_id": entry.service_id,
            "service": entry.service.name,
            "since": day_label(entry.joined_at, zone),
            "offered": entry.status == WaitStatus.OFFERED,
        }
        for entry in open_waitlist_places(appointment.patient)
    ]


def _can_wait_for_earlier(appointment: Appointment, places: list[dict[str, Any]]) -> bool:
    """Offer "tell me if an earlier time opens": a coming booking of an online service whose
    patient does not wait for it already (the public join's rules, `join_from_booking`)."""
    service = appointment.service
    return (
        appointment.status == Status.BOOKED
        and appointment.start > timezone.now()
        and service.online_bookable
        and service.active
        and not any(place["service_id"] == service.pk for place in places)
    )


def _appointment_context(appointment: Appointment) -> dict[str, Any]:
    zone = appointment.location.zone
    now = timezone.now()
    resources = list(appointment.occupancies.select_related("resource").order_by("role_position"))
    return {
        "appointment": appointment,
        "service": appointment.service,
        "clinic": appointment.clinic,
        "day_label": day_label(appointment.start, zone),
        "time_label": time_label(appointment.start, zone),
        "end_label": time_label(appointment.end, zone),
        "with": [o.resource.name for o in resources],
        "changeable": appointment.status == Status.BOOKED and appointment.start > now,
        "hide_booking": True,
    }


@public
@require_safe
@limited("book.manage")
def manage_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the patient's emails: swap the token for a session, then drop it from the URL."""
    appointment = find_by_manage_token(token)
    if appointment is None:
        record(APPOINTMENT_LINK_REFUSED, request=request, outcome=Outcome.DENIED)
        return token_in_url(_not_found(request))
    request.session.cycle_key()
    request.session[APPOINTMENT_KEY] = appointment.pk
    record(
        APPOINTMENT_LINK_OPENED,
        request=request,
        clinic=appointment.clinic,
        patient_id=appointment.patient_id,
        obj=appointment,
    )
    return token_in_url(redirect("scheduling:appointment"))


@public
@never_cache
@require_safe
def appointment(request: HttpRequest) -> HttpResponse:
    """Step 5, and the manage page: the booking, its calendar file, change or cancel."""
    found = _session_appointment(request)
    if found is None:
        return _not_found(request)
    just_booked = bool(request.session.pop(JUST_BOOKED_KEY, False))
    moved = request.GET.get("moved") == "1" and found.status == Status.BOOKED
    title = _("You are booked") if just_booked else _("Your appointment")
    places = _waitlist_context(found)
    context = {
        **_appointment_context(found),
        "just_booked": just_booked,
        "moved": moved,
        "left_waitlist": request.GET.get("left") == "1",
        "joined_waitlist": request.GET.get("joined") == "1" and bool(places),
        "waitlist": places,
        "can_join_waitlist": _can_wait_for_earlier(found, places),
        "page_title": _("Your appointment has moved") if moved else title,
    }
    return private(render(request, "scheduling/appointment.html", context))


@public
@require_safe
def appointment_ics_view(request: HttpRequest) -> HttpResponse:
    found = _session_appointment(request)
    if found is None:
        raise Http404("No appointment in this session.")
    response = HttpResponse(appointment_ics(found), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{ics_filename(found)}"'
    return private(response)


@public
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@limited("book.change")
def reschedule(request: HttpRequest) -> HttpResponse:
    """Choose a new day and time, confirm, and the booking moves (same link, new .ics)."""
    found = _session_appointment(request)
    if found is None:
        return _not_found(request)
    base_context = _appointment_context(found)
    if not base_context["changeable"]:
        return redirect("scheduling:appointment")
    service = found.service
    now = timezone.now()
    data = request.POST if request.method == "POST" else request.GET
    new_start = parse_instant(data.get("start", ""))
    resource = data.get("resource", "")
    context: dict[str, Any] = {
        **base_context,
        "page_title": _("Change your appointment"),
        "zone_note": zone_note(service),
    }
    if new_start is not None:
        context |= slot_summary(service, new_start, resource)
        context["back_url"] = f"{reverse('scheduling:reschedule')}?" + urlencode(
            {"day": new_start.astimezone(service.location.zone).date().isoformat()}
        )
        status = 200
        if request.method == "POST":
            try:
                actions.reschedule(
                    AuditContext.from_request(request),
                    found,
                    new_start,
                    resource=resource or None,
                    base=site_base(request),
                    now=now,
                )
            except actions.BookingError as exc:
                context["error"] = exc.message
                status = 422
            except actions.SlotTaken:
                context["taken"] = True
                status = 409
            except actions.NotAllowed as exc:
                context["error"] = str(exc)
                status = 409
            else:
                return private(redirect(f"{reverse('scheduling:appointment')}?moved=1"))
        else:
            refused = actions.refusal(
                service, new_start, lead=resource or None, now=now, exclude=found.pk
            )
            if isinstance(refused, actions.SlotTaken):
                context["taken"] = True
                status = 409
            elif refused is not None:
                context["error"] = refused.message
                status = 422
        context |= {"step": "confirm", "new_start": data.get("start", ""), "resource": resource}
        return private(render(request, "scheduling/reschedule.html", context, status=status))

    def link(params: dict[str, str]) -> str:
        return f"{reverse('scheduling:reschedule')}?{urlencode(params)}"

    context |= calendar_context(request, service, now=now, link=link, exclude=found.pk)
    return private(render(request, "scheduling/reschedule.html", context))


@public
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@limited("book.change")
def cancel(request: HttpRequest) -> HttpResponse:
    found = _session_appointment(request)
    if found is None:
        return _not_found(request)
    context = {**_appointment_context(found), "page_title": _("Cancel your appointment")}
    if not context["changeable"]:
        return redirect("scheduling:appointment")
    if request.method == "POST":
        with contextlib.suppress(actions.NotAllowed):  # already cancelled or started: show it
            actions.cancel(AuditContext.from_request(request), found, base=site_base(request))
        return private(redirect("scheduling:appointment"))
    return private(render(request, "scheduling/cancel.html", context))


@public
@never_cache
@require_POST
@limited("book.change")
def leave_waitlist(request: HttpRequest, entry_id: int) -> HttpResponse:
    """Leave a waitlist from the manage page: only a place of this appointment's patient."""
    found = _session_appointment(request)
    if found is None:
        return _not_found(request)
    entry = WaitlistEntry.objects.filter(pk=entry_id, patient_id=found.patient_id).first()
    if entry is None:
        raise Http404("No such waitlist place for this patient.")
    # Already left, or the offer was booked or lapsed meanwhile: the page shows where it stands.
    with contextlib.suppress(actions.NotAllowed):
        actions.remove_from_waitlist(entry, actor=None, ctx=AuditContext.from_request(request))
    return private(redirect(f"{reverse('scheduling:appointment')}?left=1"))


@public
@never_cache
@require_POST
@limited("book.submit")
def join_waitlist(request: HttpRequest) -> HttpResponse:
    """ "Tell me if an earlier time opens": join the waitlist of this appointment's service.
    The session from the manage link says who the patient is; a double submit keeps one place."""
    found = _session_appointment(request)
    if found is None:
        return _not_found(request)
    try:
        actions.join_from_booking(found, ctx=AuditContext.from_request(request))
    except (actions.BookingError, actions.NotAllowed):
        return private(redirect("scheduling:appointment"))  # the page no longer offers it
    return private(redirect(f"{reverse('scheduling:appointment')}?joined=1"))
