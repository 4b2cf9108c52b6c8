"""Why a time cannot be booked: a code for programs and a sentence for people.

Every refusal of a booking (page, staff calendar, API) carries one of `CODES`, so a client can
act on it and a person reads the real reason: a past time is "already passed", 1:13 AM is
"outside opening hours", 09:10 on a half-hour grid is "not one of the start times", an unknown
clinician is named as such, and only a time someone else holds says "taken".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from typing import TYPE_CHECKING

from django.utils import dateformat
from django.utils.translation import gettext, pgettext

from annulus.scheduling import slots as core

if TYPE_CHECKING:
    from annulus.scheduling.availability import Candidate
    from annulus.scheduling.models import Service

# code -> what it means (the API's documentation lists these).
CODES = {
    "no_offset": "the time has no UTC offset",
    "past": "the time has already passed",
    "too_soon": "online bookings need more notice",
    "too_far": "the time is beyond the booking horizon",
    "outside_hours": "nobody who offers the service is open then",
    "off_grid": "within opening hours, but not one of the service's start times",
    "unknown_clinician": "the clinician (leading resource) does not offer this service",
    "unknown_service": "no such bookable service",
    "bad_mode": "the service is not offered in that mode",
    "wrong_clinic": "the patient belongs to another clinic",
    "no_resources": "the service has no resources set up",
    "slot_taken": "the time was free and someone else has just booked it",
}


def _clock(value: time) -> str:
    return value.strftime("%H:%M")


def _spans(spans: Sequence[tuple[time, time]]) -> str:
    return ", ".join(f"{_clock(a)}–{_clock(b)}" for a, b in spans)


def _merged(spans: list[tuple[time, time]]) -> list[tuple[time, time]]:
    """Several clinicians' hours as one list, overlapping spans joined."""
    out: list[tuple[time, time]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def not_offered(
    service: Service,
    start: datetime,
    *,
    lead: str | None,
    roles: Sequence[Candidate] | None,
    staff: bool = False,
) -> tuple[str, str]:
    """(code, message) for a start that is no slot of the service even with nothing booked.

    Outside every leading resource's opening hours it is `outside_hours` (the message gives the
    day's hours); inside them it is `off_grid` (the start is between two start times).
    """
    from annulus.scheduling.availability import plan_for

    zone = service.location.zone
    local = start.astimezone(zone)
    day = local.date()
    plan = plan_for(service, first_day=day, last_day=day, lead=lead, roles=roles)
    spans: list[tuple[time, time]] = []
    for slug in plan.leads:
        spans.extend(core.opening_hours(plan.availability, slug, day).spans)
    spans = _merged(spans)
    at = local.time().replace(tzinfo=None)
    # In the active language: Spanish on /es/ pages, English for staff and the API (issue #18).
    weekday = dateformat.format(local, "l")
    half = pgettext("time of day", "AM") if local.hour < 12 else pgettext("time of day", "PM")
    label = f"{local.hour % 12 or 12}:{local:%M} {half}"
    hint = (
        " " + gettext("Tick “Allow a time outside opening hours” to book it anyway.")
        if staff
        else ""
    )
    if any(a <= at < b for a, b in spans):
        return (
            "off_grid",
            gettext(
                "%(time)s is not one of this service's start times (they are every "
                "%(step)s minutes from opening). Choose one of the times listed."
            )
            % {"time": label, "step": service.step_minutes},
        )
    if not spans:
        return (
            "outside_hours",
            gettext("%(time)s is outside opening hours: closed on that %(weekday)s.")
            % {"time": label, "weekday": weekday}
            + hint,
        )
    return (
        "outside_hours",
        gettext("%(time)s is outside opening hours (that %(weekday)s: %(hours)s).")
        % {"time": label, "weekday": weekday, "hours": _spans(spans)}
        + hint,
    )
