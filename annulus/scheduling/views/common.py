"""What the public booking pages share: rate limits, private responses, the day/time picker.

Every step is a plain link or form (no JavaScript needed). Times are shown in the location's
zone with its abbreviation. The chosen slot travels in the query string as a UTC instant; the
details form carries a one-time token so a double-clicked confirm books once. The manage link's
token is exchanged for a session on first use and the page redirects to a plain address, so the
token does not linger in history, logs or Referer headers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from annulus.accounts.models import Clinic
from annulus.lib import ratelimit
from annulus.scheduling.availability import find_slots
from annulus.scheduling.forms import parse_day
from annulus.scheduling.links import day_label, time_label
from annulus.scheduling.models import Resource, Service
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


def limited(scope: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Answer 429 (with a page that says what happened) once an address is over the limit.

    Browsing counts GETs; the other scopes count POSTs (and the manage link, every open).
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            counts = request.method == "POST" or scope in ("book.browse", "book.manage")
            if counts and not ratelimit.hit(request, scope, **LIMITS[scope]):
                response = render(
                    request,
                    "public/too_many.html",
                    {"page_title": _("Please try again later")},
                    status=429,
                )
                response["Retry-After"] = str(LIMITS[scope]["per_seconds"])
                return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def private(response: HttpResponse) -> HttpResponse:
    """A page about one person's booking: never cached, never indexed."""
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def token_in_url(response: HttpResponse) -> HttpResponse:
    """A page whose own URL holds a secret token: it must not leak in a Referer header.

    Only for pages without forms: browsers send ``Origin: null`` on a POST from a no-referrer
    page, which CSRF protection rightly refuses.
    """
    response["Referrer-Policy"] = "no-referrer"
    return private(response)


def bookable_services(clinic: Clinic | None) -> list[Service]:
    if clinic is None:
        return []
    return list(
        Service.objects.filter(clinic=clinic, online_bookable=True, active=True).select_related(
            "location", "clinic"
        )
    )


def screening_answers(token: str) -> dict[str, Any] | None:
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


def calendar_context(
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
    problem = _day_problem("day", request.GET.get("day"), today, last) or _day_problem(
        "from", request.GET.get("from"), today, last
    )
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
        "day_error": problem,
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


def _day_problem(name: str, raw: str | None, today: date, last: date) -> str:
    """What is wrong with a day asked for in the address, named for the person; "" if fine.

    A day that cannot be read, has passed or is beyond the horizon is said so, instead of
    quietly showing the first two weeks as if nothing had been asked.
    """
    if raw is None or raw == "":
        return ""
    label = "Day" if name == "day" else "Start date"
    day = parse_day(raw)
    if day is None:
        return f"{label}: that is not a date we can read. Use year-month-day, e.g. {today}."
    if day < today:
        return f"{label}: {day:%B %-d, %Y} has already passed. Choose today or a later day."
    if day > last:
        return f"{label}: bookings open until {last:%B %-d, %Y}. Choose that day or an earlier one."
    return ""


def _window_start(day: date, today: date) -> date:
    return today + timedelta(days=((day - today).days // WINDOW_DAYS) * WINDOW_DAYS)


def zone_note(service: Service) -> str:
    zone = service.location.zone
    now = timezone.now().astimezone(zone)
    return _("Times are %(place)s time (%(abbr)s, %(zone)s).") % {
        "place": service.location.name,
        "abbr": f"{now:%Z}",
        "zone": service.location.timezone,
    }


def slot_summary(service: Service, start: datetime | None, resource: str) -> dict[str, Any]:
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
