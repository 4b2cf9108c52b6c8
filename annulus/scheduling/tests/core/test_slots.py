"""Example tests for the slot computation: the rules a coordinator would check by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from annulus.scheduling import slots as slots_module
from annulus.scheduling.slots import (
    Availability,
    Busy,
    Closure,
    ExtraHours,
    Service,
    Slot,
    SlotInputError,
    WeeklyRule,
    compute_slots,
    overlaps,
    to_local_label,
)
from annulus.scheduling.slots.localtime import resolve_wall

from .slot_oracle import reference_slots

CHICAGO = "America/Chicago"
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
MONDAY = date(2026, 11, 30)
SPRING_FORWARD = date(2027, 3, 14)  # Chicago: 02:00 CST -> 03:00 CDT, a Sunday
FALL_BACK = date(2027, 11, 7)  # Chicago: 02:00 CDT -> 01:00 CST, a Sunday
SUNDAY = 6


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def service(**overrides: Any) -> Service:
    values: dict[str, Any] = {
        "duration": minutes(30),
        "step": minutes(30),
        "min_notice": timedelta(0),
        "max_advance": timedelta(days=800),
    }
    values.update(overrides)
    return Service(**values)


def weekly(resource: str, weekday: int, start: time, end: time) -> WeeklyRule:
    return WeeklyRule(resource=resource, weekday=weekday, start=start, end=end)


def at(day: date, hour: int, minute: int = 0, zone: str = CHICAGO) -> datetime:
    """A local wall time on `day`, as a UTC instant (first occurrence)."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def local_starts(found: list[Slot], zone: str = CHICAGO) -> list[str]:
    return [f"{s.start.astimezone(ZoneInfo(zone)):%H:%M %Z}" for s in found]


def monday_slots(
    svc: Service | None = None,
    needs: list[list[str]] | None = None,
    busy: tuple[Busy, ...] = (),
    rules: tuple[WeeklyRule, ...] = (weekly("dr-ames", 0, time(9), time(12)),),
    **availability: Any,
) -> list[Slot]:
    return compute_slots(
        Availability(zone=CHICAGO, rules=rules, **availability),
        svc or service(),
        needs or [["dr-ames"]],
        busy,
        now=NOW,
        first_day=MONDAY,
        last_day=MONDAY,
    )


# --- the grid, hours and buffers ---------------------------------------------------------


def test_it_offers_slots_on_the_step_grid_that_end_within_the_hours() -> None:
    found = monday_slots(service(duration=minutes(45), step=minutes(30)))
    assert local_starts(found) == ["09:00 CST", "09:30 CST", "10:00 CST", "10:30 CST", "11:00 CST"]
    assert all(s.end - s.start == minutes(45) for s in found)
    assert found[-1].end == at(MONDAY, 11, 45)


def test_it_returns_only_aware_utc_datetimes() -> None:
    for slot in monday_slots():
        assert slot.start.tzinfo is UTC
        assert slot.end.tzinfo is UTC


def test_it_keeps_buffers_inside_the_open_hours() -> None:
    found = monday_slots(service(buffer_before=minutes(15), buffer_after=minutes(15)))
    # 09:00 would need the clinician from 08:45; 11:30 would keep her until 12:15.
    assert local_starts(found) == ["09:30 CST", "10:00 CST", "10:30 CST", "11:00 CST"]


def test_it_skips_slots_whose_buffers_touch_a_busy_interval() -> None:
    busy = (Busy(resource="dr-ames", start=at(MONDAY, 10), end=at(MONDAY, 10, 30)),)
    found = monday_slots(service(buffer_after=minutes(10)), busy=busy)
    # 11:30 would keep the clinician until 12:10, after the hours end.
    assert local_starts(found) == ["09:00 CST", "10:30 CST", "11:00 CST"]
    found = monday_slots(service(buffer_before=minutes(10)), busy=busy)
    assert local_starts(found) == ["09:30 CST", "11:00 CST", "11:30 CST"]


def test_it_allows_a_slot_back_to_back_with_a_busy_interval() -> None:
    busy = (Busy(resource="dr-ames", start=at(MONDAY, 9, 30), end=at(MONDAY, 10)),)
    assert local_starts(monday_slots(busy=busy)) == [
        "09:00 CST",
        "10:00 CST",
        "10:30 CST",
        "11:00 CST",
        "11:30 CST",
    ]


def test_it_handles_nested_and_unordered_busy_intervals() -> None:
    busy = (
        Busy(resource="dr-ames", start=at(MONDAY, 11), end=at(MONDAY, 11, 5)),
        Busy(resource="dr-ames", start=at(MONDAY, 9), end=at(MONDAY, 10)),
        Busy(resource="dr-ames", start=at(MONDAY, 9, 10), end=at(MONDAY, 9, 20)),
        Busy(resource="dr-baker", start=at(MONDAY, 10), end=at(MONDAY, 12)),
    )
    assert local_starts(monday_slots(busy=busy)) == ["10:00 CST", "10:30 CST", "11:30 CST"]


def test_it_accepts_busy_intervals_in_any_aware_zone() -> None:
    chicago_busy = datetime(2026, 11, 30, 10, tzinfo=ZoneInfo(CHICAGO))
    busy = (Busy(resource="dr-ames", start=chicago_busy, end=chicago_busy + minutes(60)),)
    assert local_starts(monday_slots(busy=busy)) == [
        "09:00 CST",
        "09:30 CST",
        "11:00 CST",
        "11:30 CST",
    ]


def test_it_merges_overlapping_and_touching_hours_and_anchors_the_grid_on_their_start() -> None:
    rules = (
        weekly("dr-ames", 0, time(9), time(12)),
        weekly("dr-ames", 0, time(12), time(13)),
        weekly("dr-ames", 0, time(9, 30), time(10)),
        weekly("dr-ames", 1, time(9), time(17)),
    )
    found = monday_slots(service(duration=minutes(90), step=minutes(60)), rules=rules)
    assert local_starts(found) == ["09:00 CST", "10:00 CST", "11:00 CST"]


def test_it_starts_the_grid_again_after_a_break() -> None:
    rules = (
        weekly("dr-ames", 0, time(9), time(10)),
        weekly("dr-ames", 0, time(10, 15), time(11, 15)),
    )
    found = monday_slots(rules=rules)
    assert local_starts(found) == ["09:00 CST", "09:30 CST", "10:15 CST", "10:45 CST"]


# --- exceptions ----------------------------------------------------------------------------


def test_it_closes_a_resource_for_a_date_range() -> None:
    closures = (Closure(resource="dr-ames", first_day=MONDAY, last_day=MONDAY),)
    assert monday_slots(closures=closures) == []


def test_it_closes_the_whole_location_on_a_holiday() -> None:
    closures = (Closure(first_day=MONDAY - timedelta(days=3), last_day=MONDAY),)
    assert monday_slots(closures=closures) == []


def test_it_ignores_closures_of_other_resources_and_other_dates() -> None:
    closures = (
        Closure(resource="dr-baker", first_day=MONDAY, last_day=MONDAY),
        Closure(first_day=date(2027, 1, 1), last_day=date(2027, 1, 1)),
    )
    assert len(monday_slots(closures=closures)) == 6


def test_it_opens_extra_hours_even_on_a_closed_date() -> None:
    closures = (Closure(resource="dr-ames", first_day=MONDAY, last_day=MONDAY),)
    extra = (
        ExtraHours(resource="dr-ames", day=MONDAY, start=time(18), end=time(19)),
        ExtraHours(resource="dr-ames", day=date(2027, 2, 1), start=time(18), end=time(19)),
        ExtraHours(resource="dr-baker", day=MONDAY, start=time(7), end=time(8)),
    )
    found = monday_slots(closures=closures, extra_hours=extra)
    assert local_starts(found) == ["18:00 CST", "18:30 CST"]


def test_it_extends_the_day_with_extra_hours_that_touch_the_weekly_hours() -> None:
    extra = (ExtraHours(resource="dr-ames", day=MONDAY, start=time(12), end=time(13)),)
    found = monday_slots(service(duration=minutes(60), step=minutes(60)), extra_hours=extra)
    assert local_starts(found) == ["09:00 CST", "10:00 CST", "11:00 CST", "12:00 CST"]


# --- several resources -----------------------------------------------------------------------

PROCEDURE_RULES = (
    weekly("dr-ames", 0, time(9), time(12)),
    weekly("dr-baker", 0, time(9), time(12)),
    weekly("room", 0, time(8), time(17)),
)


def test_it_offers_a_procedure_only_when_clinician_and_room_are_both_free() -> None:
    busy = (
        Busy(resource="room", start=at(MONDAY, 9), end=at(MONDAY, 10)),
        Busy(resource="dr-ames", start=at(MONDAY, 11), end=at(MONDAY, 12)),
    )
    found = monday_slots(needs=[["dr-ames"], ["room"]], busy=busy, rules=PROCEDURE_RULES)
    assert local_starts(found) == ["10:00 CST", "10:30 CST"]
    assert {s.resources for s in found} == {("dr-ames", "room")}


def test_it_needs_the_room_open_as_well() -> None:
    rules = (*PROCEDURE_RULES[:2], weekly("room", 0, time(10), time(11)))
    found = monday_slots(needs=[["dr-ames"], ["room"]], rules=rules)
    assert local_starts(found) == ["10:00 CST", "10:30 CST"]


def test_it_picks_the_first_free_clinician_in_preference_order() -> None:
    busy = (Busy(resource="dr-ames", start=at(MONDAY, 10), end=at(MONDAY, 11)),)
    found = monday_slots(
        needs=[["dr-ames", "dr-baker"], ["room"]], busy=busy, rules=PROCEDURE_RULES
    )
    assert [(f"{s.start.astimezone(ZoneInfo(CHICAGO)):%H:%M}", s.resource) for s in found] == [
        ("09:00", "dr-ames"),
        ("09:30", "dr-ames"),
        ("10:00", "dr-baker"),
        ("10:30", "dr-baker"),
        ("11:00", "dr-ames"),
        ("11:30", "dr-ames"),
    ]
    reversed_preference = monday_slots(
        needs=[["dr-baker", "dr-ames"], ["room"]], busy=busy, rules=PROCEDURE_RULES
    )
    assert {s.resource for s in reversed_preference} == {"dr-baker"}


def test_it_anchors_the_grid_on_each_clinicians_own_hours() -> None:
    rules = (
        weekly("dr-ames", 0, time(9), time(10)),
        weekly("dr-baker", 0, time(9, 15), time(10, 15)),
    )
    found = monday_slots(needs=[["dr-ames", "dr-baker"]], rules=rules)
    assert [(f"{s.start.astimezone(ZoneInfo(CHICAGO)):%H:%M}", s.resource) for s in found] == [
        ("09:00", "dr-ames"),
        ("09:15", "dr-baker"),
        ("09:30", "dr-ames"),
        ("09:45", "dr-baker"),
    ]


def test_it_never_gives_one_resource_two_roles_and_backtracks_to_a_workable_choice() -> None:
    rules = (weekly("dr-ames", 0, time(9), time(10)), weekly("dr-baker", 0, time(9), time(10)))
    found = monday_slots(needs=[["dr-ames", "dr-baker"], ["dr-ames"]], rules=rules)
    assert [s.resources for s in found] == [("dr-baker", "dr-ames")] * 2
    assert monday_slots(needs=[["dr-ames"], ["dr-ames"]], rules=rules) == []


def test_it_agrees_with_the_reference_on_a_busy_procedure_day() -> None:
    busy = (
        Busy(resource="room", start=at(MONDAY, 9), end=at(MONDAY, 9, 40)),
        Busy(resource="dr-ames", start=at(MONDAY, 10, 5), end=at(MONDAY, 10, 50)),
        Busy(resource="dr-baker", start=at(MONDAY, 9, 55), end=at(MONDAY, 10, 45)),
        Busy(resource="dr-baker", start=at(MONDAY, 8), end=at(MONDAY, 9, 10)),
    )
    rules = (*PROCEDURE_RULES, weekly("dr-ames", 0, time(11, 30), time(14)))
    svc = service(duration=minutes(40), step=minutes(10), buffer_before=minutes(5))
    availability = Availability(zone=CHICAGO, rules=rules)
    needs = [["dr-baker", "dr-ames"], ["room"]]
    kwargs: dict[str, Any] = {"now": NOW, "first_day": MONDAY, "last_day": MONDAY}
    found = compute_slots(availability, svc, needs, busy, **kwargs)
    assert found == reference_slots(availability, svc, needs, busy, **kwargs)
    assert {s.resource for s in found} == {"dr-ames", "dr-baker"}


# --- notice, advance, range ------------------------------------------------------------------


def test_it_respects_minimum_notice_and_maximum_advance_inclusively() -> None:
    now = at(MONDAY, 7)
    svc = service(min_notice=timedelta(hours=3), max_advance=timedelta(hours=4))
    availability = Availability(zone=CHICAGO, rules=(weekly("dr-ames", 0, time(9), time(12)),))
    found = compute_slots(
        availability, svc, [["dr-ames"]], now=now, first_day=MONDAY, last_day=MONDAY
    )
    assert local_starts(found) == ["10:00 CST", "10:30 CST", "11:00 CST"]


def test_it_accepts_now_in_any_aware_zone() -> None:
    now = datetime(2026, 11, 30, 7, tzinfo=ZoneInfo(CHICAGO))
    svc = service(min_notice=timedelta(hours=4))
    availability = Availability(zone=CHICAGO, rules=(weekly("dr-ames", 0, time(9), time(12)),))
    found = compute_slots(
        availability, svc, [["dr-ames"]], now=now, first_day=MONDAY, last_day=MONDAY
    )
    assert local_starts(found) == ["11:00 CST", "11:30 CST"]


def test_it_returns_nothing_for_dates_outside_the_booking_horizon() -> None:
    availability = Availability(zone=CHICAGO, rules=(weekly("dr-ames", 0, time(9), time(12)),))
    svc = service(max_advance=timedelta(days=30))
    far = date(2027, 6, 7)
    assert (
        compute_slots(availability, svc, [["dr-ames"]], now=NOW, first_day=far, last_day=far) == []
    )
    past = date(2026, 11, 2)
    assert (
        compute_slots(availability, svc, [["dr-ames"]], now=NOW, first_day=past, last_day=past)
        == []
    )


def test_it_covers_every_date_of_the_range_in_order() -> None:
    availability = Availability(
        zone=CHICAGO, rules=tuple(weekly("dr-ames", d, time(9), time(10)) for d in range(7))
    )
    found = compute_slots(
        availability,
        service(duration=minutes(60), step=minutes(60)),
        [["dr-ames"]],
        now=NOW,
        first_day=MONDAY,
        last_day=MONDAY + timedelta(days=6),
    )
    assert [s.start for s in found] == [at(MONDAY + timedelta(days=i), 9) for i in range(7)]


# --- daylight saving: explicit days ------------------------------------------------------------


def sunday_slots(
    day: date,
    svc: Service,
    start: time = time(1),
    end: time = time(4),
    zone: str = CHICAGO,
    needs: list[list[str]] | None = None,
    extra_rules: tuple[WeeklyRule, ...] = (),
) -> list[Slot]:
    availability = Availability(
        zone=zone, rules=(weekly("dr-ames", day.weekday(), start, end), *extra_rules)
    )
    return compute_slots(
        availability, svc, needs or [["dr-ames"]], now=NOW, first_day=day, last_day=day
    )


def test_it_skips_the_missing_hour_on_the_2027_spring_forward_day_in_chicago() -> None:
    found = sunday_slots(SPRING_FORWARD, service())
    assert [s.start for s in found] == [
        datetime(2027, 3, 14, 7, 0, tzinfo=UTC),
        datetime(2027, 3, 14, 8, 0, tzinfo=UTC),
        datetime(2027, 3, 14, 8, 30, tzinfo=UTC),
    ]
    # 01:30 CST + 30 min = 03:00 CDT: the clock would not read 02:00, so it is not offered;
    # 02:00 and 02:30 do not exist.
    assert [to_local_label(s, CHICAGO) for s in found] == [
        "2027-03-14 01:00\u201301:30 CST",
        "2027-03-14 03:00\u201303:30 CDT",
        "2027-03-14 03:30\u201304:00 CDT",
    ]


def test_it_offers_the_repeated_hour_once_on_the_2027_fall_back_day_in_chicago() -> None:
    found = sunday_slots(FALL_BACK, service())
    assert [s.start for s in found] == [
        datetime(2027, 11, 7, 6, 0, tzinfo=UTC),  # 01:00 CDT, the first occurrence
        datetime(2027, 11, 7, 8, 0, tzinfo=UTC),
        datetime(2027, 11, 7, 8, 30, tzinfo=UTC),
        datetime(2027, 11, 7, 9, 0, tzinfo=UTC),
        datetime(2027, 11, 7, 9, 30, tzinfo=UTC),
    ]
    # 01:30 CDT + 30 min = 01:00 CST: not a configured end, so not offered; the second
    # pass through 01:00-02:00 (CST) never starts a slot.
    assert local_starts(found) == ["01:00 CDT", "02:00 CST", "02:30 CST", "03:00 CST", "03:30 CST"]


def test_it_measures_hour_long_slots_in_real_time_across_both_2027_changes() -> None:
    hour = service(duration=minutes(60), step=minutes(60))
    spring = sunday_slots(SPRING_FORWARD, hour)
    assert local_starts(spring) == ["03:00 CDT"]
    fall = sunday_slots(FALL_BACK, hour)
    assert local_starts(fall) == ["02:00 CST", "03:00 CST"]
    assert all(s.end - s.start == minutes(60) for s in [*spring, *fall])


def test_it_offers_every_grid_time_on_an_ordinary_sunday_with_the_same_rule() -> None:
    found = sunday_slots(SPRING_FORWARD - timedelta(days=7), service())
    assert local_starts(found) == [f"{h:02}:{m:02} CST" for h in (1, 2, 3) for m in (0, 30)]


def test_it_opens_hours_that_start_inside_the_gap_when_the_clocks_jump() -> None:
    found = sunday_slots(
        SPRING_FORWARD, service(buffer_before=minutes(30)), start=time(2, 30), end=time(5)
    )
    # Open from 03:00 CDT (08:00 UTC); the 03:00 slot's buffer would begin before that.
    assert local_starts(found) == ["03:30 CDT", "04:00 CDT", "04:30 CDT"]
    assert resolve_wall(SPRING_FORWARD, timedelta(hours=2, minutes=30), ZoneInfo(CHICAGO)) == (
        datetime(2027, 3, 14, 8, tzinfo=UTC)
    )


def test_it_closes_hours_that_end_inside_the_gap_when_the_clocks_jump() -> None:
    found = sunday_slots(
        SPRING_FORWARD, service(buffer_after=minutes(30)), start=time(0), end=time(2, 30)
    )
    # The 01:00 slot's buffer runs to 08:00 UTC, the jump, where the hours end.
    assert local_starts(found) == ["00:00 CST", "00:30 CST", "01:00 CST"]


def test_it_drops_hours_lying_wholly_inside_the_gap() -> None:
    five = service(duration=minutes(5), step=minutes(5))
    assert sunday_slots(SPRING_FORWARD, five, start=time(2, 10), end=time(2, 50)) == []
    # A room whose only hours vanish in the gap is never open for a procedure.
    room = weekly("room", SUNDAY, time(2, 10), time(2, 50))
    procedure = sunday_slots(
        SPRING_FORWARD, five, needs=[["dr-ames"], ["room"]], extra_rules=(room,)
    )
    assert procedure == []
    assert len(sunday_slots(SPRING_FORWARD, five)) > 0


def test_it_ends_hours_at_the_first_occurrence_of_a_repeated_time() -> None:
    found = sunday_slots(FALL_BACK, service(), start=time(0), end=time(1, 30))
    assert local_starts(found) == ["00:00 CDT", "00:30 CDT", "01:00 CDT"]
    assert found[-1].end == datetime(2027, 11, 7, 6, 30, tzinfo=UTC)


def test_it_handles_the_half_hour_shift_of_lord_howe_island() -> None:
    zone = "Australia/Lord_Howe"
    spring = sunday_slots(date(2027, 10, 3), service(), zone=zone)
    assert local_starts(spring, zone) == ["01:00 +1030", "02:30 +11", "03:00 +11", "03:30 +11"]
    fall = sunday_slots(date(2027, 4, 4), service(), zone=zone)
    assert local_starts(fall, zone) == [
        "01:00 +11",
        "02:00 +1030",
        "02:30 +1030",
        "03:00 +1030",
        "03:30 +1030",
    ]


def test_it_offers_every_grid_time_in_honolulu_which_keeps_no_daylight_saving() -> None:
    found = sunday_slots(SPRING_FORWARD, service(), zone="Pacific/Honolulu")
    assert len(found) == 6


# --- helpers and validation ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("b_start", "b_end", "expected"),
    [
        (9, 10, False),  # ends when a starts
        (12, 13, False),  # starts when a ends
        (9, 11, True),
        (11, 13, True),
        (10, 12, True),
        (10, 11, True),
        (9, 13, True),
    ],
)
def test_it_treats_intervals_as_half_open(b_start: int, b_end: int, expected: bool) -> None:
    a = (at(MONDAY, 10), at(MONDAY, 12))
    b = (at(MONDAY, b_start), at(MONDAY, b_end))
    assert overlaps(*a, *b) is expected
    assert overlaps(*b, *a) is expected


def test_it_labels_slots_in_the_location_zone() -> None:
    slot = Slot(
        datetime(2027, 11, 7, 7, tzinfo=UTC), datetime(2027, 11, 7, 7, 30, tzinfo=UTC), ("a",)
    )
    assert to_local_label(slot, CHICAGO) == "2027-11-07 01:00\u201301:30 CST"
    assert to_local_label(slot, ZoneInfo("Pacific/Honolulu")) == "2027-11-06 21:00\u201321:30 HST"
    crossing = Slot(
        datetime(2027, 11, 7, 6, 30, tzinfo=UTC), datetime(2027, 11, 7, 7, 30, tzinfo=UTC), ("a",)
    )
    assert to_local_label(crossing, CHICAGO) == "2027-11-07 01:30 CDT \u2013 2027-11-07 01:30 CST"


def test_it_names_the_lead_resource() -> None:
    slot = Slot(NOW, NOW + minutes(30), ("dr-ames", "room"))
    assert slot.resource == "dr-ames"


def test_it_exports_an_explicit_public_api() -> None:
    assert set(slots_module.__all__) == {
        "Availability",
        "Busy",
        "Closure",
        "ExtraHours",
        "OpenHours",
        "Service",
        "Slot",
        "SlotCheck",
        "SlotInputError",
        "WeeklyRule",
        "check_slot",
        "compute_slots",
        "opening_hours",
        "overlaps",
        "to_local_label",
    }


AWARE_TIME = time(9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: weekly("dr-ames", 7, time(9), time(10)), "weekday"),
        (lambda: weekly("dr-ames", 0, time(10), time(10)), "must be before end"),
        (lambda: weekly("dr-ames", 0, AWARE_TIME, time(10)), "take no tzinfo"),
        (
            lambda: ExtraHours(resource="x", day=MONDAY, start=time(11), end=time(10)),
            "extra hours",
        ),
        (lambda: Closure(first_day=MONDAY, last_day=MONDAY - timedelta(days=1)), "first_day"),
        (lambda: Availability(zone="Mars/Olympus_Mons"), "IANA"),
        (lambda: Availability(zone="../etc/passwd"), "IANA"),
        (lambda: service(duration=timedelta(0)), "duration"),
        (lambda: service(step=minutes(-5)), "step"),
        (lambda: service(buffer_before=minutes(-5)), "buffer_before"),
        (lambda: service(min_notice=minutes(-5)), "min_notice"),
        (
            lambda: Busy(resource="x", start=datetime(2026, 11, 30, 9), end=NOW),  # noqa: DTZ001
            "busy start must be timezone-aware",
        ),
        (lambda: Busy(resource="x", start=NOW, end=NOW), "start before end"),
    ],
)
def test_it_rejects_malformed_inputs_naming_the_field(build: Any, message: str) -> None:
    with pytest.raises(SlotInputError, match=message):
        build()


@pytest.mark.parametrize(
    ("needs", "overrides", "message"),
    [
        ([], {}, "at least one role"),
        ([["dr-ames"], []], {}, r"needs\[1\]"),
        ([["dr-ames", "dr-ames"]], {}, "twice"),
        ([["dr-ames"]], {"now": datetime(2026, 11, 25, 9)}, "now must be"),  # noqa: DTZ001
        ([["dr-ames"]], {"first_day": MONDAY + timedelta(days=1)}, "after last_day"),
    ],
)
def test_it_rejects_malformed_queries(
    needs: list[list[str]], overrides: dict[str, Any], message: str
) -> None:
    kwargs: dict[str, Any] = {"now": NOW, "first_day": MONDAY, "last_day": MONDAY}
    kwargs.update(overrides)
    availability = Availability(zone=CHICAGO, rules=(weekly("dr-ames", 0, time(9), time(12)),))
    with pytest.raises(SlotInputError, match=message):
        compute_slots(availability, service(), needs, **kwargs)
