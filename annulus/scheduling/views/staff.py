"""The staff calendar: day and week, per location or per resource; create, move, cancel,
arrived and no-show. Everything is a link or a form, in the location's zone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from annulus.accounts.access import get_clinic_for_user, require_role
from annulus.accounts.staff_request import StaffRequest
from annulus.audit.actions import CALENDAR_VIEWED
from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.lib.site import site_base
from annulus.patients.access import WRITE_ROLES
from annulus.scheduling import actions
from annulus.scheduling import slots as core
from annulus.scheduling.access import get_appointment_for_user
from annulus.scheduling.forms import CancelForm, StaffAppointmentForm, local_instant, parse_day
from annulus.scheduling.links import day_label, time_label
from annulus.scheduling.models import (
    Appointment,
    Closure,
    ExtraHours,
    Location,
    Occupancy,
    Resource,
    Status,
)

TAKEN = (
    "Taken: another appointment already holds the clinician, room or equipment this service "
    "needs at that time."
)


@dataclass
class Card:
    appointment: Appointment
    when: str
    lead: bool


@dataclass
class Cell:
    day: date
    hours: str = ""
    cards: list[Card] = field(default_factory=list)


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def _hours(resource: Resource, day: date, availability: core.Availability) -> str:
    """Opening hours as staff read them ("08:00–12:00, 13:00–17:00", or "Closed: Leave"),
    by the same rule as the slots patients are offered."""
    hours = core.opening_hours(availability, resource.slug, day)
    if not hours.spans:
        closure = hours.closure
        return f"Closed: {closure.reason}" if closure is not None and closure.reason else "Closed"
    return ", ".join(f"{_hhmm(a)}–{_hhmm(b)}" for a, b in hours.spans)


def _availability(
    location: Location, resources: list[Resource], closures: list[Closure], extra: list[ExtraHours]
) -> core.Availability:
    """The shown resources' hours, closures and extra hours, as the slot core reads them."""
    slug_of = {r.pk: r.slug for r in resources}
    return core.Availability(
        zone=location.timezone,
        rules=tuple(
            core.WeeklyRule(resource=r.slug, weekday=h.weekday, start=h.start, end=h.end)
            for r in resources
            for h in r.weekly_hours.all()
        ),
        closures=tuple(
            core.Closure(
                first_day=c.first_day,
                last_day=c.last_day,
                resource=slug_of[c.resource_id] if c.resource_id else None,
                reason=c.reason,
            )
            for c in closures
            if c.resource_id is None or c.resource_id in slug_of
        ),
        extra_hours=tuple(
            core.ExtraHours(resource=slug_of[e.resource_id], day=e.day, start=e.start, end=e.end)
            for e in extra
            if e.resource_id in slug_of
        ),
    )


def _url(**params: Any) -> str:
    return (
        reverse("scheduling_staff:calendar")
        + "?"
        + urlencode({k: v for k, v in params.items() if v})
    )


def calendar(request: StaffRequest) -> HttpResponse:
    """Day or week, for a location's resources or for one resource."""
    clinic = get_clinic_for_user(request)
    locations = list(Location.objects.filter(clinic=clinic))
    if not locations:
        return render(request, "scheduling/staff/calendar.html", {"no_locations": True})
    location = next(
        (loc for loc in locations if loc.slug == request.GET.get("location")), locations[0]
    )
    zone = location.zone
    resources = list(
        Resource.objects.filter(clinic=clinic, location=location, active=True).prefetch_related(
            "weekly_hours"
        )
    )
    chosen = next((r for r in resources if r.slug == request.GET.get("resource")), None)
    shown = [chosen] if chosen else resources
    view = "week" if request.GET.get("view") == "week" else "day"
    today = timezone.now().astimezone(zone).date()
    day = parse_day(request.GET.get("date")) or today
    first = day - timedelta(days=day.weekday()) if view == "week" else day
    days = [first + timedelta(days=i) for i in range(7 if view == "week" else 1)]
    start = datetime.combine(days[0], time(0), tzinfo=zone)
    end = datetime.combine(days[-1] + timedelta(days=1), time(0), tzinfo=zone)
    occupancies = (
        Occupancy.objects.filter(
            resource__in=shown, appointment__start__gte=start, appointment__start__lt=end
        )
        .select_related("appointment__patient", "appointment__service", "appointment__location")
        .order_by("appointment__start")
    )
    closures = list(
        Closure.objects.filter(location=location, first_day__lte=days[-1], last_day__gte=days[0])
    )
    extra = list(ExtraHours.objects.filter(resource__in=shown, day__gte=days[0], day__lte=days[-1]))
    availability = _availability(location, shown, closures, extra)
    grid: dict[int, dict[date, Cell]] = {
        r.pk: {d: Cell(d, _hours(r, d, availability)) for d in days} for r in shown
    }
    patients: set[int] = set()
    for occupancy in occupancies:
        appointment = occupancy.appointment
        local_day = appointment.start.astimezone(zone).date()
        cell = grid[occupancy.resource_id].get(local_day)
        if cell is None:
            continue
        when = f"{_hhmm(appointment.start.astimezone(zone).time())}–"
        when += _hhmm(appointment.end.astimezone(zone).time())
        cell.cards.append(Card(appointment, when, occupancy.role_position == 0))
        patients.add(appointment.patient_id)
    rows = [(r, [grid[r.pk][d] for d in days]) for r in shown]
    step = timedelta(days=7 if view == "week" else 1)
    here = {"view": view, "location": location.slug, "resource": chosen.slug if chosen else ""}
    record(
        CALENDAR_VIEWED,
        request=request,
        clinic=clinic,
        details={"view": view, "days": len(days), "patients": len(patients)},
    )
    context = {
        "view": view,
        "locations": locations,
        "location": location,
        "resources": resources,
        "chosen": chosen,
        "days": [(d, day_label(datetime.combine(d, time(12), tzinfo=zone), zone)) for d in days],
        "rows": rows,
        "title": (day_label(start, zone) if view == "day" else f"Week of {day_label(start, zone)}"),
        "zone_name": f"{location.timezone} ({timezone.now().astimezone(zone):%Z})",
        "today": today,
        "date": day,
        "prev_url": _url(**here, date=(day - step).isoformat()),
        "next_url": _url(**here, date=(day + step).isoformat()),
        "today_url": _url(**here, date=today.isoformat()),
        "other_view_url": _url(
            **{**here, "view": "day" if view == "week" else "week"}, date=day.isoformat()
        ),
        "can_write": _can_write(request),
    }
    return render(request, "scheduling/staff/calendar.html", context)


def _can_write(request: StaffRequest) -> bool:
    try:
        require_role(request, *WRITE_ROLES)
    except Exception:  # PermissionDenied: show the calendar read-only
        return False
    return True


def _apply_errors(form: Any, exc: actions.BookingError) -> None:
    names = {"start": "at", "resource": "resource", "patient": "patient", "service": "service"}
    target = names.get(exc.field)
    form.add_error(target if target in form.fields else None, exc.message)


@require_http_methods(["GET", "POST"])
def appointment_new(request: StaffRequest) -> HttpResponse:
    clinic = get_clinic_for_user(request)
    require_role(request, *WRITE_ROLES)
    initial = {
        "day": parse_day(request.GET.get("date")) or timezone.now().astimezone(clinic.zone).date(),
        "resource": request.GET.get("resource") or None,
        "patient": request.GET.get("patient") or None,
        "at": time(9, 0),
    }
    form = StaffAppointmentForm(request.POST or None, clinic=clinic, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            service = data["service"]
            start = local_instant(data["day"], data["at"], service.location.zone)
            if start is None:
                form.add_error(
                    "at", "That time does not exist on that date (the clocks go forward)."
                )
            else:
                try:
                    appointment = actions.staff_create(
                        actor=request.user,
                        ctx=AuditContext.from_request(request),
                        service=service,
                        patient=data["patient"],
                        start=start,
                        resource=data["resource"].slug if data["resource"] else None,
                        mode=data["mode"],
                        outside_hours=data["outside_hours"],
                        base=site_base(request),
                    )
                except actions.BookingError as exc:
                    _apply_errors(form, exc)
                    status = 422
                except actions.SlotTaken:
                    form.add_error(None, TAKEN)
                    status = 409
                else:
                    messages.success(request, "Appointment booked. The patient has been emailed.")
                    return redirect("scheduling_staff:appointment", pk=appointment.pk)
    return render(
        request,
        "scheduling/staff/appointment_form.html",
        {"form": form, "title": "New appointment"},
        status=status,
    )


def appointment_detail(request: StaffRequest, pk: int) -> HttpResponse:
    appointment = get_appointment_for_user(request, pk)
    zone = appointment.location.zone
    local = appointment.start.astimezone(zone)
    lead = appointment.occupancies.filter(role_position=0).select_related("resource").first()
    move_form = StaffAppointmentForm(
        clinic=appointment.clinic,
        moving=True,
        initial={
            "day": local.date(),
            "at": local.time(),
            "resource": lead.resource.slug if lead else None,
        },
    )
    return render(request, "scheduling/staff/appointment.html", _detail_context(
        request, appointment, move_form=move_form, cancel_form=CancelForm()
    ))  # fmt: skip


def _detail_context(
    request: StaffRequest, appointment: Appointment, *, move_form: Any, cancel_form: Any
) -> dict[str, Any]:
    zone = appointment.location.zone
    now = timezone.now()
    local = appointment.start.astimezone(zone)
    return {
        "appointment": appointment,
        "patient": appointment.patient,
        "when": f"{day_label(appointment.start, zone)}, {time_label(appointment.start, zone)}"
        f"–{time_label(appointment.end, zone)}",
        "occupancies": appointment.occupancies.select_related("resource").order_by("role_position"),
        "reminders": appointment.reminders.select_related("email").order_by("due_at"),
        "move_form": move_form,
        "cancel_form": cancel_form,
        "changeable": appointment.status == Status.BOOKED and appointment.start > now,
        "can_arrive": appointment.status == Status.BOOKED
        and local.date() <= now.astimezone(zone).date(),
        "can_no_show": appointment.status == Status.BOOKED and appointment.start <= now,
        "can_write": _can_write(request),
        "calendar_url": _url(location=appointment.location.slug, date=local.date().isoformat()),
    }


@require_POST
def appointment_move(request: StaffRequest, pk: int) -> HttpResponse:
    appointment = get_appointment_for_user(request, pk, write=True)
    form = StaffAppointmentForm(request.POST, clinic=appointment.clinic, moving=True)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        start = local_instant(data["day"], data["at"], appointment.location.zone)
        if start is None:
            form.add_error("at", "That time does not exist on that date (the clocks go forward).")
        else:
            try:
                actions.staff_move(
                    appointment,
                    start,
                    actor=request.user,
                    ctx=AuditContext.from_request(request),
                    resource=data["resource"].slug if data["resource"] else None,
                    outside_hours=data["outside_hours"],
                    base=site_base(request),
                )
            except actions.BookingError as exc:
                _apply_errors(form, exc)
                status = 422
            except actions.SlotTaken:
                form.add_error(None, TAKEN)
                status = 409
            except actions.NotAllowed as exc:
                form.add_error(None, str(exc))
                status = 409
            else:
                messages.success(request, "Appointment moved. The patient has been emailed.")
                return redirect("scheduling_staff:appointment", pk=appointment.pk)
    context = _detail_context(request, appointment, move_form=form, cancel_form=CancelForm())
    return render(request, "scheduling/staff/appointment.html", context, status=status)


@require_POST
def appointment_cancel(request: StaffRequest, pk: int) -> HttpResponse:
    appointment = get_appointment_for_user(request, pk, write=True)
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else "other"
    try:
        actions.staff_cancel(
            appointment,
            actor=request.user,
            ctx=AuditContext.from_request(request),
            reason=reason,
            base=site_base(request),
        )
    except actions.NotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Appointment cancelled. The patient has been emailed.")
    return redirect("scheduling_staff:appointment", pk=appointment.pk)


def _mark(request: StaffRequest, pk: int, mark: Any, done: str) -> HttpResponse:
    """Arrived and no-show differ only in the action and the message."""
    appointment = get_appointment_for_user(request, pk, write=True)
    try:
        mark(appointment, actor=request.user, ctx=AuditContext.from_request(request))
    except actions.NotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect(reverse("scheduling_staff:appointment", args=[pk]))


@require_POST
def appointment_arrived(request: StaffRequest, pk: int) -> HttpResponse:
    return _mark(request, pk, actions.mark_arrived, "Marked as arrived.")


@require_POST
def appointment_no_show(request: StaffRequest, pk: int) -> HttpResponse:
    return _mark(request, pk, actions.mark_no_show, "Recorded as a no-show.")


@require_POST
def appointment_follow_up_dismiss(request: StaffRequest, pk: int) -> HttpResponse:
    return _mark(request, pk, actions.dismiss_follow_up, "No-show follow-up dismissed.")
