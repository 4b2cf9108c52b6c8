"""The public booking pages: service → day → time → details → booked, and the manage link.

Every step is a plain link or form (no JavaScript needed). Times are shown in the location's
zone with its abbreviation. The chosen slot travels in the query string as a UTC instant; the
details form carries a one-time token so a double-clicked confirm books once. The manage link's
token is exchanged for a session on first use and the page redirects to a plain address, so the
token does not linger in history, logs or Referer headers.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from annulus.accounts.models import Clinic, public_clinic
from annulus.accounts.policy import public
from annulus.audit.models import Outcome
from annulus.audit.record import record
from annulus.lib import ratelimit
from annulus.lib.tokens import new_token
from annulus.scheduling import actions
from annulus.scheduling.availability import find_slots, slot_at
from annulus.scheduling.forms import DetailsForm, parse_day, parse_instant
from annulus.scheduling.ics import appointment_ics, ics_filename
from annulus.scheduling.links import day_label, find_by_manage_token, site_base, time_label
from annulus.scheduling.models import Appointment, Resource, Service, Status
from annulus.scheduling.slots import Slot

APPOINTMENT_KEY = "annulus_booking_appointment"
JUST_BOOKED_KEY = "annulus_booking_new"
SCREENING_KEY = "annulus_booking_screening"
WINDOW_DAYS = 14
# Per address: browsing is cheap for people and costs us slot maths; writes are rarer still.
LIMITS = {
    "book.browse": {"limit": 300, "per_seconds": 600},
    "book.submit": {"limit": 10, "per_seconds": 3600},
    "book.manage": {"limit": 30, "per_seconds": 3600},
    "book.change": {"limit": 20, "per_seconds": 3600},
}


def _limited(scope: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Answer 429 (with a page that says what happened) once an address is over the limit.

    Browsing counts GETs; the other scopes count POSTs (and the manage link, every open).
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            counts = request.method == "POST" or scope in ("book.browse", "book.manage")
            if counts and not ratelimit.hit(request, scope, **LIMITS[scope]):
                response = render(
                    request, "public/too_many.html", {"page_title": "Try again later"}, status=429
                )
                response["Retry-After"] = str(LIMITS[scope]["per_seconds"])
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _private(response: HttpResponse) -> HttpResponse:
    """A page about one person's booking: never cached, never indexed."""
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _token_in_url(response: HttpResponse) -> HttpResponse:
    """A page whose own URL holds a secret token: it must not leak in a Referer header.

    Only for pages without forms: browsers send ``Origin: null`` on a POST from a no-referrer
    page, which CSRF protection rightly refuses.
    """
    response["Referrer-Policy"] = "no-referrer"
    return _private(response)


def bookable_services(clinic: Clinic | None) -> list[Service]:
    if clinic is None:
        return []
    return list(
        Service.objects.filter(clinic=clinic, online_bookable=True, active=True).select_related(
            "location", "clinic"
        )
    )


def _screening_answers(token: str) -> dict[str, Any] | None:
    """The self-check's answers for this token, when the person agreed to carry them over.

    The self-check is built beside this app; while its module is missing, booking still works.
    """
    try:
        from annulus.screening import carry_over
    except ImportError:
        return None
    answers: dict[str, Any] | None = carry_over.answers_for_token(token)
    return answers


def _today(service: Service, now: datetime) -> date:
    return now.astimezone(service.location.zone).date()


def _last_day(service: Service, now: datetime) -> date:
    return (now + timedelta(days=service.max_advance_days)).astimezone(service.location.zone).date()


def _group_days(slots: list[Slot], service: Service) -> list[tuple[date, int]]:
    zone = service.location.zone
    counts: dict[date, int] = {}
    for slot in slots:
        day = slot.start.astimezone(zone).date()
        counts[day] = counts.get(day, 0) + 1
    return sorted(counts.items())


def _times(slots: list[Slot], service: Service, resources: dict[str, str]) -> list[dict[str, Any]]:
    zone = service.location.zone
    return [
        {
            "label": time_label(slot.start, zone),
            "start": slot.start.isoformat().replace("+00:00", "Z"),
            "resource": slot.resource,
            "with": resources.get(slot.resource, ""),
            "afternoon": slot.start.astimezone(zone).hour >= 12,
        }
        for slot in slots
    ]


def _names(service: Service) -> dict[str, str]:
    return dict(Resource.objects.filter(clinic_id=service.clinic_id).values_list("slug", "name"))


def _calendar_context(
    request: HttpRequest,
    service: Service,
    *,
    now: datetime,
    link: Callable[[dict[str, str]], str],
    exclude: int | None = None,
) -> dict[str, Any]:
    """Days with free times (two weeks a page), or one day's free times when `day` is given."""
    today, last = _today(service, now), _last_day(service, now)
    zone = service.location.zone
    day = parse_day(request.GET.get("day"))
    if day is not None and today <= day <= last:
        slots = find_slots(service, day, day, now=now, exclude_appointment=exclude, cached=True)
        times = _times(slots, service, _names(service))
        for item in times:
            item["url"] = link({"start": item["start"], "resource": item["resource"]})
        return {
            "step": "time",
            "day": day,
            "day_label": day_label(datetime.combine(day, datetime.min.time(), tzinfo=zone), zone),
            "morning": [t for t in times if not t["afternoon"]],
            "afternoon": [t for t in times if t["afternoon"]],
            "back_url": link({"from": _window_start(day, today).isoformat()}),
        }
    first = parse_day(request.GET.get("from")) or today
    first = min(max(first, today), last)
    window_last = min(first + timedelta(days=WINDOW_DAYS - 1), last)
    slots = find_slots(
        service, first, window_last, now=now, exclude_appointment=exclude, cached=True
    )
    days = [
        {
            "day": day_,
            "label": day_label(datetime.combine(day_, datetime.min.time(), tzinfo=zone), zone),
            "count": count,
            "url": link({"day": day_.isoformat()}),
        }
        for day_, count in _group_days(slots, service)
    ]
    earlier = first - timedelta(days=WINDOW_DAYS)
    return {
        "step": "day",
        "days": days,
        "window_first": day_label(datetime.combine(first, datetime.min.time(), tzinfo=zone), zone),
        "window_last": day_label(
            datetime.combine(window_last, datetime.min.time(), tzinfo=zone), zone
        ),
        "earlier_url": link({"from": max(earlier, today).isoformat()}) if first > today else "",
        "later_url": link({"from": (window_last + timedelta(days=1)).isoformat()})
        if window_last < last
        else "",
    }


def _window_start(day: date, today: date) -> date:
    return today + timedelta(days=((day - today).days // WINDOW_DAYS) * WINDOW_DAYS)


def _zone_note(service: Service) -> str:
    zone = service.location.zone
    now = timezone.now().astimezone(zone)
    return f"Times are {service.location.name} time ({now:%Z}, {service.location.timezone})."


@public
@never_cache
@require_safe
@_limited("book.browse")
def start(request: HttpRequest) -> HttpResponse:
    """Step 1–3: choose a service, then a day, then a time."""
    clinic = public_clinic()
    services = bookable_services(clinic)
    context: dict[str, Any] = {"page_title": "Book an appointment", "hide_booking": True}
    token = request.GET.get("screening", "")
    if token:
        answers = _screening_answers(token)
        if answers is not None:
            request.session[SCREENING_KEY] = {
                "screening_id": answers.get("screening_id"),
                "veteran": (answers.get("patient") or {}).get("veteran"),
            }
    context["screening_carried"] = bool(request.session.get(SCREENING_KEY))
    slug = request.GET.get("service", "")
    service = next((s for s in services if s.slug == slug), None)
    if service is None:
        context.update({"step": "service", "services": services, "unknown_service": bool(slug)})
        if len(services) == 1 and not slug:
            return redirect(f"{reverse('scheduling:start')}?service={services[0].slug}")
        response = render(request, "scheduling/start.html", context)
        return _token_in_url(response) if token else response
    now = timezone.now()

    def link(params: dict[str, str]) -> str:
        if "start" in params:
            query = urlencode({"service": service.slug, **params})
            return f"{reverse('scheduling:details')}?{query}"
        return f"{reverse('scheduling:start')}?{urlencode({'service': service.slug, **params})}"

    context.update(
        {
            "service": service,
            "zone_note": _zone_note(service),
            "multiple_services": len(services) > 1,
            **_calendar_context(request, service, now=now, link=link),
        }
    )
    response = render(request, "scheduling/start.html", context)
    return _token_in_url(response) if token else response


def _slot_summary(service: Service, start: datetime | None, resource: str) -> dict[str, Any]:
    if start is None:
        return {}
    zone = service.location.zone
    name = (
        Resource.objects.filter(clinic_id=service.clinic_id, slug=resource)
        .values_list("name", flat=True)
        .first()
    )
    return {
        "day_label": day_label(start, zone),
        "time_label": time_label(start, zone),
        "end_label": time_label(start + service.duration, zone),
        "with": name or "",
        "back_url": f"{reverse('scheduling:start')}?"
        + urlencode({"service": service.slug, "day": start.astimezone(zone).date().isoformat()}),
    }


@public
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@_limited("book.submit")
def details(request: HttpRequest) -> HttpResponse:
    """Step 4: who is coming, then book. A taken slot says so and offers other times."""
    services = {s.slug: s for s in bookable_services(public_clinic())}
    data = request.POST if request.method == "POST" else request.GET
    service = services.get(data.get("service", ""))
    start_at = parse_instant(data.get("start", ""))
    resource = data.get("resource", "")
    if service is None or start_at is None:
        return redirect("scheduling:start")
    context: dict[str, Any] = {
        "page_title": "Your details",
        "hide_booking": True,
        "service": service,
        "zone_note": _zone_note(service),
        **_slot_summary(service, start_at, resource),
    }
    now = timezone.now()
    status = 200
    if request.method == "POST":
        form = DetailsForm(request.POST, service=service)
        if form.is_valid():
            data_ = form.cleaned_data
            try:
                appointment = actions.book_appointment(
                    request,
                    service=service,
                    start=data_["start"],
                    resource=data_["resource"] or None,
                    details=actions.PatientDetails(
                        first_name=data_["first_name"],
                        last_name=data_["last_name"],
                        email=data_["email"],
                        phone=data_["phone"],
                        date_of_birth=data_["date_of_birth"],
                    ),
                    mode=data_.get("mode") or None,
                    form_token=data_["form_token"],
                    screening=request.session.get(SCREENING_KEY),
                    base=site_base(request),
                    now=now,
                )
            except actions.BookingError as exc:
                if exc.field in form.fields and not form.fields[exc.field].widget.is_hidden:
                    form.add_error(exc.field, exc.message)
                else:
                    form.add_error(None, exc.message)
                status = 422
            except actions.SlotTaken:
                context["taken"] = True
                status = 409
            else:
                request.session.cycle_key()
                request.session[APPOINTMENT_KEY] = appointment.pk
                request.session[JUST_BOOKED_KEY] = True
                request.session.pop(SCREENING_KEY, None)
                return _private(redirect("scheduling:appointment"))
        else:
            status = 400
    else:
        if slot_at(service, start_at, now=now, lead=resource or None) is None:
            context["taken"] = True
            status = 409
        form = DetailsForm(
            initial={
                "service": service.slug,
                "start": data.get("start", ""),
                "resource": resource,
                "form_token": new_token(),
            },
            service=service,
        )
    context["form"] = form
    context["screening_carried"] = bool(request.session.get(SCREENING_KEY))
    return _private(render(request, "scheduling/details.html", context, status=status))


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
    context = {"page_title": "We could not find your appointment", "hide_booking": False}
    return _private(render(request, "scheduling/manage_invalid.html", context, status=404))


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
@_limited("book.manage")
def manage_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the patient's emails: swap the token for a session, then drop it from the URL."""
    appointment = find_by_manage_token(token)
    if appointment is None:
        record("appointment.link_refused", request=request, outcome=Outcome.DENIED)
        return _token_in_url(_not_found(request))
    request.session.cycle_key()
    request.session[APPOINTMENT_KEY] = appointment.pk
    record(
        "appointment.link_opened",
        request=request,
        clinic=appointment.clinic,
        patient_id=appointment.patient_id,
        obj=appointment,
    )
    return _token_in_url(redirect("scheduling:appointment"))


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
    title = "You are booked" if just_booked else "Your appointment"
    context = {
        **_appointment_context(found),
        "just_booked": just_booked,
        "moved": moved,
        "page_title": "Your appointment has moved" if moved else title,
    }
    return _private(render(request, "scheduling/appointment.html", context))


@public
@require_safe
def appointment_ics_view(request: HttpRequest) -> HttpResponse:
    found = _session_appointment(request)
    if found is None:
        raise Http404("No appointment in this session.")
    response = HttpResponse(appointment_ics(found), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{ics_filename(found)}"'
    return _private(response)


@public
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@_limited("book.change")
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
        "page_title": "Change your appointment",
        "zone_note": _zone_note(service),
    }
    if new_start is not None:
        context.update(_slot_summary(service, new_start, resource))
        context["back_url"] = f"{reverse('scheduling:reschedule')}?" + urlencode(
            {"day": new_start.astimezone(service.location.zone).date().isoformat()}
        )
        status = 200
        if request.method == "POST":
            try:
                actions.reschedule(
                    request,
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
                return _private(redirect(f"{reverse('scheduling:appointment')}?moved=1"))
        elif (
            slot_at(
                service, new_start, now=now, lead=resource or None, exclude_appointment=found.pk
            )
            is None
        ):
            context["taken"] = True
            status = 409
        context.update(
            {"step": "confirm", "new_start": data.get("start", ""), "resource": resource}
        )
        return _private(render(request, "scheduling/reschedule.html", context, status=status))

    def link(params: dict[str, str]) -> str:
        return f"{reverse('scheduling:reschedule')}?{urlencode(params)}"

    context.update(_calendar_context(request, service, now=now, link=link, exclude=found.pk))
    return _private(render(request, "scheduling/reschedule.html", context))


@public
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@_limited("book.change")
def cancel(request: HttpRequest) -> HttpResponse:
    found = _session_appointment(request)
    if found is None:
        return _not_found(request)
    context = {**_appointment_context(found), "page_title": "Cancel your appointment"}
    if not context["changeable"]:
        return redirect("scheduling:appointment")
    if request.method == "POST":
        with contextlib.suppress(actions.NotAllowed):  # already cancelled or started: show it
            actions.cancel(request, found, base=site_base(request))
        return _private(redirect("scheduling:appointment"))
    return _private(render(request, "scheduling/cancel.html", context))
