"""Property tests: every day of two years in five zones, and random schedules around DST days.

Each result is checked twice: against the invariants a patient and a coordinator rely on, and
for equality with the brute-force reference in `slot_oracle` (so nothing is missing either).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annulus.scheduling.slots import (
    Availability,
    Busy,
    Closure,
    ExtraHours,
    Service,
    Slot,
    WeeklyRule,
    compute_slots,
    overlaps,
)

from .slot_oracle import (
    busy_near,
    change_days,
    file_by_day,
    first_seen,
    label_of,
    reference_slots,
    wall_hours,
)

ZONES = (
    "America/Chicago",
    "America/New_York",
    "Pacific/Honolulu",
    "Europe/London",
    "Australia/Lord_Howe",  # daylight saving moves the clocks by 30 minutes
)
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
FIRST = date(2026, 11, 25)
LAST = FIRST + timedelta(days=729)
RESOURCES = ("dr-ames", "dr-baker", "room")


def check_invariants(
    found: list[Slot],
    availability: Availability,
    service: Service,
    needs: Sequence[Sequence[str]],
    busy: Sequence[Busy],
    now: datetime,
) -> None:
    zone = availability.zone
    filed = file_by_day(busy)
    hours: dict[tuple[str, date], list[tuple[timedelta, timedelta]]] = {}
    starts = [slot.start for slot in found]
    assert starts == sorted(set(starts)), "ordered, one slot per start"
    labels = [label_of(start, zone) for start in starts]
    assert len(set(labels)) == len(labels), "no two slots share a local label"
    for slot in found:
        assert slot.start.tzinfo is UTC and slot.end.tzinfo is UTC
        assert slot.end - slot.start == service.duration, "duration is real elapsed time"
        day, wall_start = label_of(slot.start, zone)
        # The wall time exists and the slot is its first occurrence (fold=0).
        assert first_seen(zone)[(day, wall_start)] == slot.start
        # It ends at a configured local time: the start's wall time plus the duration.
        assert label_of(slot.end, zone) == (day, wall_start + service.duration)
        key = (slot.resource, day)
        if key not in hours:
            hours[key] = wall_hours(availability, slot.resource, day)
        assert any(
            opens <= wall_start
            and wall_start + service.duration <= closes
            and (wall_start - opens) % service.step == timedelta(0)
            for opens, closes in hours[key]
        ), "starts on the lead resource's grid, within its hours"
        assert now + service.min_notice <= slot.start <= now + service.max_advance
        assert len(slot.resources) == len(needs)
        assert len(set(slot.resources)) == len(slot.resources)
        assert all(r in role for r, role in zip(slot.resources, needs, strict=True))
        taken = (slot.start - service.buffer_before, slot.end + service.buffer_after)
        assert not any(
            b.resource in slot.resources and overlaps(*taken, b.start, b.end)
            for b in busy_near(filed, *taken)
        ), "no assigned resource is busy during the slot or its buffers"


# --- every day of two years -----------------------------------------------------------------

HALF_HOUR = timedelta(minutes=30)
# Some night hours start or end strictly inside a spring-forward gap: 02:30 in America/*,
# 01:30 in Europe/London. (At the gap's first minute, 02:00, the jump and the naive reading
# coincide, so only such times tell a correct clamp from a wrong one.)
DAILY_HOURS = {
    "dr-ames": ((time(1), time(4)), (time(9), time(11)), (time(14), time(15, 30))),
    "dr-baker": ((time(0, 30), time(1, 30)), (time(2, 30), time(3, 30)), (time(10), time(12))),
    "room": ((time(1), time(5)), (time(8), time(18))),
}
# The same UTC times every day, so they meet different local hours across the DST changes.
DAILY_BUSY_UTC = {
    "dr-ames": ((time(8), time(8, 30)), (time(15), time(16)), (time(22, 30), time(23))),
    "dr-baker": ((time(7), time(7, 30)), (time(18), time(19))),
    "room": ((time(17, 30), time(18, 30)), (time(2), time(3))),
}
CONSULTATION = Service(
    duration=HALF_HOUR, step=HALF_HOUR, min_notice=timedelta(0), max_advance=timedelta(days=800)
)
PROCEDURE = Service(
    duration=2 * HALF_HOUR,
    step=HALF_HOUR,
    min_notice=timedelta(hours=2),
    max_advance=timedelta(days=800),
    buffer_before=HALF_HOUR,
)


def two_year_availability(zone: str) -> Availability:
    rules = tuple(
        WeeklyRule(resource=resource, weekday=weekday, start=start, end=end)
        for resource, spans in DAILY_HOURS.items()
        for start, end in spans
        for weekday in range(7)
    )
    return Availability(
        zone=zone,
        rules=rules,
        closures=(
            Closure(first_day=date(2026, 12, 25), last_day=date(2026, 12, 25)),
            Closure(resource="dr-ames", first_day=date(2027, 8, 2), last_day=date(2027, 8, 13)),
        ),
        extra_hours=(
            ExtraHours(resource="dr-ames", day=date(2027, 8, 7), start=time(18), end=time(20)),
        ),
    )


def two_year_busy() -> tuple[Busy, ...]:
    return tuple(
        Busy(
            resource=resource,
            start=datetime.combine(FIRST + timedelta(days=n), start, tzinfo=UTC),
            end=datetime.combine(FIRST + timedelta(days=n), end, tzinfo=UTC),
        )
        for resource, spans in DAILY_BUSY_UTC.items()
        for start, end in spans
        for n in range(-1, 731)
    )


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(
    ("service", "needs"),
    [
        (CONSULTATION, (("dr-ames", "dr-baker"),)),
        (PROCEDURE, (("dr-baker", "dr-ames"), ("room",))),
    ],
    ids=["consultation", "procedure"],
)
def test_it_offers_exactly_the_reference_slots_on_every_day_of_two_years(
    zone: str, service: Service, needs: tuple[tuple[str, ...], ...]
) -> None:
    availability = two_year_availability(zone)
    busy = two_year_busy()
    found = compute_slots(
        availability, service, needs, busy, now=NOW, first_day=FIRST, last_day=LAST
    )

    check_invariants(found, availability, service, needs, busy, NOW)
    expected = reference_slots(
        availability, service, needs, busy, now=NOW, first_day=FIRST, last_day=LAST, grain=HALF_HOUR
    )
    assert found == expected
    slot_days = {label_of(slot.start, zone)[0] for slot in found}
    assert set(change_days(zone, FIRST, LAST)) <= slot_days, "every DST change day was exercised"
    assert date(2026, 12, 25) not in slot_days
    assert len(slot_days) >= 700


@pytest.mark.parametrize(
    ("zone", "count"),
    [
        ("America/Chicago", 4),
        ("America/New_York", 4),
        ("Europe/London", 4),
        ("Australia/Lord_Howe", 4),
        ("Pacific/Honolulu", 0),
    ],
)
def test_it_is_tested_across_every_daylight_saving_change_of_the_two_years(
    zone: str, count: int
) -> None:
    assert len(change_days(zone, FIRST, LAST)) == count


# --- random schedules --------------------------------------------------------------------------


def five_minutes(low: int, high: int) -> st.SearchStrategy[timedelta]:
    """Durations from `low` to `high` minutes in 5-minute steps."""
    return st.integers(low // 5, high // 5).map(lambda k: timedelta(minutes=5 * k))


def wall_time(units: int) -> time:
    return time(units * 5 // 60, units * 5 % 60)


@st.composite
def wall_spans(draw: st.DrawFn) -> tuple[time, time]:
    # Half the starts fall in the small hours, where the clocks change.
    start = draw(st.one_of(st.integers(0, 60), st.integers(0, 286)))
    end = start + draw(st.integers(1, 287 - start))
    return wall_time(start), wall_time(end)


@dataclass(frozen=True)
class Scenario:
    availability: Availability
    service: Service
    needs: tuple[tuple[str, ...], ...]
    busy: tuple[Busy, ...]
    now: datetime
    first_day: date
    last_day: date


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    zone = draw(st.sampled_from(ZONES))
    changes = change_days(zone, FIRST, LAST)
    # Two draws in three land on a DST change day (or an end of the two years).
    pivot = draw(
        st.one_of(
            st.sampled_from([*changes, FIRST]),
            st.sampled_from([*changes, LAST]),
            st.dates(FIRST, LAST),
        )
    )
    first_day = pivot - timedelta(days=draw(st.integers(0, 1)))
    last_day = pivot + timedelta(days=draw(st.integers(0, 2)))
    midnight = datetime.combine(first_day, time(0), tzinfo=UTC)
    rules = [
        WeeklyRule(resource=resource, weekday=weekday, start=start, end=end)
        for resource in RESOURCES
        for start, end in draw(st.lists(wall_spans(), min_size=1, max_size=3))
        for weekday in draw(st.sets(st.integers(0, 6), min_size=4))
    ]
    days_around = st.dates(first_day - timedelta(days=1), last_day + timedelta(days=1))
    closures = draw(
        st.lists(
            st.builds(
                lambda resource, day, length: Closure(
                    resource=resource, first_day=day, last_day=day + timedelta(days=length)
                ),
                st.sampled_from([None, *RESOURCES]),
                days_around,
                st.integers(0, 2),
            ),
            max_size=2,
        )
    )
    extra_hours = draw(
        st.lists(
            st.builds(
                lambda resource, day, span: ExtraHours(
                    resource=resource, day=day, start=span[0], end=span[1]
                ),
                st.sampled_from(RESOURCES),
                days_around,
                wall_spans(),
            ),
            max_size=2,
        )
    )
    busy = draw(
        st.lists(
            st.builds(
                lambda resource, start, length: Busy(
                    resource=resource, start=midnight + start, end=midnight + start + length
                ),
                st.sampled_from([*RESOURCES, "elsewhere"]),
                five_minutes(-24 * 60, 6 * 24 * 60),
                five_minutes(5, 240),
            ),
            max_size=10,
        )
    )
    service = Service(
        duration=draw(five_minutes(5, 180)),
        step=draw(five_minutes(5, 90)),
        buffer_before=draw(st.one_of(st.just(timedelta(0)), five_minutes(5, 45))),
        buffer_after=draw(st.one_of(st.just(timedelta(0)), five_minutes(5, 45))),
        min_notice=draw(st.one_of(st.just(timedelta(0)), five_minutes(0, 48 * 60))),
        max_advance=draw(st.one_of(st.just(timedelta(days=800)), five_minutes(0, 10 * 24 * 60))),
    )
    needs = draw(
        st.sampled_from(
            [
                (("dr-ames",),),
                (("dr-ames", "dr-baker"),),
                (("dr-baker", "dr-ames"),),
                (("dr-ames", "dr-baker"), ("room",)),
                (("dr-ames",), ("room", "dr-baker")),
                (("dr-ames", "dr-baker"), ("dr-baker", "room")),
            ]
        )
    )
    return Scenario(
        availability=Availability(
            zone=zone,
            rules=tuple(rules),
            closures=tuple(closures),
            extra_hours=tuple(extra_hours),
        ),
        service=service,
        needs=needs,
        busy=tuple(busy),
        now=midnight + draw(five_minutes(-3 * 24 * 60, 12 * 60)),
        first_day=first_day,
        last_day=last_day,
    )


@settings(
    max_examples=100,
    deadline=None,
    database=None,  # write nothing into the working tree
    suppress_health_check=[HealthCheck.too_slow],
)
@given(scenarios())
def test_it_matches_the_reference_on_random_schedules_around_daylight_saving_changes(
    scenario: Scenario,
) -> None:
    s = scenario
    inputs = (s.availability, s.service, s.needs, s.busy)
    found = compute_slots(*inputs, now=s.now, first_day=s.first_day, last_day=s.last_day)
    check_invariants(found, *inputs, s.now)
    expected = reference_slots(*inputs, now=s.now, first_day=s.first_day, last_day=s.last_day)
    assert found == expected


@given(
    st.lists(st.integers(0, 100), min_size=4, max_size=4),
)
@settings(database=None)
def test_it_overlaps_exactly_when_two_half_open_intervals_share_a_minute(
    points: list[int],
) -> None:
    a_start, a_end = sorted(points[:2])
    b_start, b_end = sorted(points[2:])
    base = NOW
    shared = set(range(a_start, a_end)) & set(range(b_start, b_end))
    assert overlaps(
        base + timedelta(minutes=a_start),
        base + timedelta(minutes=a_end),
        base + timedelta(minutes=b_start),
        base + timedelta(minutes=b_end),
    ) is bool(shared)
