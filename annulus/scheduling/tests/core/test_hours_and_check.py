"""The opening-hours rule the staff calendar shows, and the one-pass check of a single start."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from annulus.scheduling.slots import (
    Availability,
    Busy,
    Closure,
    ExtraHours,
    Service,
    SlotInputError,
    WeeklyRule,
    check_slot,
    compute_slots,
    opening_hours,
)

CHICAGO = "America/Chicago"
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
MONDAY = date(2026, 11, 30)


def weekly(resource: str, start: time, end: time, weekday: int = 0) -> WeeklyRule:
    return WeeklyRule(resource=resource, weekday=weekday, start=start, end=end)


def at(hour: int, minute: int = 0, day: date = MONDAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(CHICAGO)).astimezone(UTC)


def service(**overrides: timedelta) -> Service:
    values = {
        "duration": timedelta(minutes=30),
        "step": timedelta(minutes=30),
        "min_notice": timedelta(0),
        "max_advance": timedelta(days=800),
    }
    values.update(overrides)
    return Service(**values)


# --- opening_hours ---------------------------------------------------------------------------


def test_it_gives_a_resources_weekly_hours_merged_and_in_order() -> None:
    availability = Availability(
        zone=CHICAGO,
        rules=(
            weekly("ames", time(13), time(17)),
            weekly("ames", time(8), time(12)),
            weekly("ames", time(11), time(12, 30)),
            weekly("ames", time(9), time(10), weekday=1),
            weekly("baker", time(7), time(19)),
        ),
    )
    hours = opening_hours(availability, "ames", MONDAY)
    assert hours.spans == ((time(8), time(12, 30)), (time(13), time(17)))
    assert hours.closure is None
    assert opening_hours(availability, "ames", MONDAY + timedelta(days=2)).spans == ()


def test_a_closure_removes_weekly_hours_but_not_extra_hours_and_is_named() -> None:
    leave = Closure(first_day=MONDAY, last_day=MONDAY, resource="ames", reason="Leave")
    holiday = Closure(first_day=MONDAY - timedelta(days=3), last_day=MONDAY, reason="Holiday")
    availability = Availability(
        zone=CHICAGO,
        rules=(weekly("ames", time(8), time(12)), weekly("baker", time(8), time(12))),
        closures=(leave, holiday),
        extra_hours=(
            ExtraHours(resource="baker", day=MONDAY, start=time(14), end=time(15)),
            ExtraHours(
                resource="baker", day=MONDAY + timedelta(days=1), start=time(9), end=time(10)
            ),
        ),
    )
    ames = opening_hours(availability, "ames", MONDAY)
    assert (ames.spans, ames.closure) == ((), leave)  # the first closure given is named
    baker = opening_hours(availability, "baker", MONDAY)
    assert (baker.spans, baker.closure) == (((time(14), time(15)),), holiday)
    tuesday = opening_hours(availability, "baker", MONDAY + timedelta(days=1))
    assert (tuesday.spans, tuesday.closure) == (((time(9), time(10)),), None)


def test_the_location_closure_is_named_when_it_comes_first() -> None:
    holiday = Closure(first_day=MONDAY, last_day=MONDAY, reason="Holiday")
    leave = Closure(first_day=MONDAY, last_day=MONDAY, resource="ames", reason="Leave")
    availability = Availability(
        zone=CHICAGO, rules=(weekly("ames", time(8), time(12)),), closures=(holiday, leave)
    )
    assert opening_hours(availability, "ames", MONDAY).closure == holiday


# --- check_slot --------------------------------------------------------------------------------


def procedure_day() -> tuple[Availability, list[list[str]]]:
    availability = Availability(
        zone=CHICAGO,
        rules=(weekly("ames", time(9), time(12)), weekly("room", time(10), time(12))),
    )
    return availability, [["ames"], ["room"]]


def test_check_slot_agrees_with_compute_slots_at_every_grid_start() -> None:
    availability, needs = procedure_day()
    busy = (Busy(resource="room", start=at(10, 30), end=at(11)),)
    free = compute_slots(
        availability, service(), needs, busy, now=NOW, first_day=MONDAY, last_day=MONDAY
    )
    for hour, minute in [(9, 0), (9, 30), (10, 0), (10, 30), (11, 0), (11, 30)]:
        found = check_slot(availability, service(), needs, busy, now=NOW, start=at(hour, minute))
        expected = next((s for s in free if s.start == at(hour, minute)), None)
        assert found.slot == expected


def test_check_slot_tells_a_taken_slot_from_a_time_that_is_no_slot() -> None:
    availability, needs = procedure_day()
    busy = (Busy(resource="ames", start=at(10), end=at(10, 30)),)
    taken = check_slot(availability, service(), needs, busy, now=NOW, start=at(10))
    assert (taken.slot, taken.offered) == (None, True)
    free = check_slot(availability, service(), needs, busy, now=NOW, start=at(11))
    assert free.slot is not None and free.slot.resources == ("ames", "room")
    assert free.offered
    # On ames's grid, but the room is closed at 09:00: not a slot, whoever is booked.
    closed_room = check_slot(availability, service(), needs, busy, now=NOW, start=at(9))
    assert (closed_room.slot, closed_room.offered) == (None, False)
    off_grid = check_slot(availability, service(), needs, busy, now=NOW, start=at(10, 10))
    assert (off_grid.slot, off_grid.offered) == (None, False)


def test_check_slot_refuses_times_outside_the_booking_horizon() -> None:
    availability, needs = procedure_day()
    short = service(max_advance=timedelta(days=1))
    assert not check_slot(availability, short, needs, now=NOW, start=at(11)).offered
    assert (
        compute_slots(availability, short, needs, now=NOW, first_day=MONDAY, last_day=MONDAY) == []
    )


def test_check_slot_refuses_a_naive_start() -> None:
    availability, needs = procedure_day()
    with pytest.raises(SlotInputError, match="start must be timezone-aware"):
        check_slot(availability, service(), needs, now=NOW, start=datetime(2026, 11, 30, 9))  # noqa: DTZ001
