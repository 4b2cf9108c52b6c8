"""A brute-force reference for `compute_slots`, written from the specification alone.

It shares no code with the implementation. Local wall times are found by converting every
5-minute UTC instant of the test period to local time and remembering where each label first
appears: a label never seen does not exist (spring-forward gap), a label seen twice is taken at
its first sighting (fall back). Open hours and busy intervals are checked instant by instant
and resources are assigned by trying every combination in preference order. Slow and obvious
on purpose; every input in the tests lies on the 5-minute grid.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from annulus.scheduling.slots import Availability, Busy, Service, Slot

GRAIN = timedelta(minutes=5)
SCAN_FROM = date(2026, 11, 20)
SCAN_TO = date(2028, 12, 1)

Label = tuple[date, timedelta]
Window = tuple[datetime, datetime, timedelta, timedelta]


def since_midnight(value: time) -> timedelta:
    return datetime.combine(date.min, value, tzinfo=UTC) - datetime.combine(
        date.min, time(0), tzinfo=UTC
    )


def label_of(instant: datetime, zone: str) -> Label:
    local = instant.astimezone(ZoneInfo(zone))
    return local.date(), timedelta(hours=local.hour, minutes=local.minute, seconds=local.second)


@cache
def first_seen(zone: str) -> dict[Label, datetime]:
    """Each local label of the test period mapped to the first UTC instant that shows it."""
    table: dict[Label, datetime] = {}
    tz = ZoneInfo(zone)
    instant = datetime.combine(SCAN_FROM, time(0), tzinfo=UTC)
    stop = datetime.combine(SCAN_TO, time(0), tzinfo=UTC)
    while instant < stop:  # label_of, inlined: this loop runs about 200,000 times per zone
        local = instant.astimezone(tz)
        label = (local.date(), timedelta(hours=local.hour, minutes=local.minute))
        table.setdefault(label, instant)
        instant += GRAIN
    return table


def resolve(zone: str, day: date, offset: timedelta) -> datetime:
    """The first instant whose label is at or after (day, offset): the next label that exists."""
    table = first_seen(zone)
    return next(
        table[(day, offset + k * GRAIN)] for k in range(100) if (day, offset + k * GRAIN) in table
    )


def change_days(zone: str, first: date, last: date) -> list[date]:
    """Local dates on which the UTC offset changes."""
    tz = ZoneInfo(zone)
    days = []
    day = first
    while day <= last:
        morning = resolve(zone, day, timedelta(0)).astimezone(tz).utcoffset()
        evening = resolve(zone, day, timedelta(hours=23, minutes=55)).astimezone(tz).utcoffset()
        if morning != evening:
            days.append(day)
        day += timedelta(days=1)
    return days


def merge(spans: list[tuple[timedelta, timedelta]]) -> list[tuple[timedelta, timedelta]]:
    merged: list[tuple[timedelta, timedelta]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def wall_hours(
    availability: Availability, resource: str, day: date
) -> list[tuple[timedelta, timedelta]]:
    """A resource's open hours on a local date, merged, as wall offsets from midnight."""
    closed = any(
        c.first_day <= day <= c.last_day and c.resource in (None, resource)
        for c in availability.closures
    )
    spans = [
        (since_midnight(r.start), since_midnight(r.end))
        for r in availability.rules
        if not closed and r.resource == resource and r.weekday == day.weekday()
    ]
    spans += [
        (since_midnight(e.start), since_midnight(e.end))
        for e in availability.extra_hours
        if e.resource == resource and e.day == day
    ]
    return merge(spans)


def file_by_day(busy: Sequence[Busy]) -> dict[date, list[Busy]]:
    """Busy intervals filed under every UTC date they touch (keeps the reference quick)."""
    filed: dict[date, list[Busy]] = {}
    for block in busy:
        day = block.start.astimezone(UTC).date()
        while day <= block.end.astimezone(UTC).date():
            filed.setdefault(day, []).append(block)
            day += timedelta(days=1)
    return filed


def busy_near(filed: dict[date, list[Busy]], start: datetime, end: datetime) -> list[Busy]:
    """Every busy interval filed under a UTC date from `start` to `end`."""
    days = (end.astimezone(UTC).date() - start.astimezone(UTC).date()).days
    first = start.astimezone(UTC).date()
    return [b for n in range(days + 1) for b in filed.get(first + timedelta(days=n), [])]


def reference_slots(
    availability: Availability,
    service: Service,
    needs: Sequence[Sequence[str]],
    busy: Sequence[Busy] = (),
    *,
    now: datetime,
    first_day: date,
    last_day: date,
    grain: timedelta = GRAIN,
) -> list[Slot]:
    """What `compute_slots` must return; `grain` divides every time in the scenario."""
    zone = availability.zone
    earliest = now + service.min_notice
    latest = now + service.max_advance
    cached: dict[tuple[str, date], list[Window]] = {}
    filed = file_by_day(busy)

    def windows(resource: str, day: date) -> list[Window]:
        if (resource, day) not in cached:
            cached[(resource, day)] = [
                (resolve(zone, day, start), resolve(zone, day, end), start, end)
                for start, end in wall_hours(availability, resource, day)
            ]
        return cached[(resource, day)]

    def is_open(resource: str, instant: datetime) -> bool:
        local_day = label_of(instant, zone)[0]
        return any(
            opens <= instant < closes
            for day in (local_day - timedelta(days=1), local_day, local_day + timedelta(days=1))
            for opens, closes, _, _ in windows(resource, day)
        )

    def is_free(resource: str, start: datetime, end: datetime) -> bool:
        instants = (start + k * grain for k in range((end - start) // grain))
        return all(is_open(resource, instant) for instant in instants) and not any(
            b.resource == resource and b.start < end and start < b.end
            for b in busy_near(filed, start, end)
        )

    leads_at: dict[datetime, list[str]] = {}
    day = first_day
    while day <= last_day:
        for lead in needs[0]:
            for opens, closes, wall_start, wall_end in windows(lead, day):
                offset = wall_start
                while offset + service.duration <= wall_end:
                    start = resolve(zone, day, offset)
                    end = start + service.duration
                    on_the_clock = label_of(start, zone) == (day, offset) and label_of(
                        end, zone
                    ) == (day, offset + service.duration)
                    inside = opens <= start and end <= closes and earliest <= start <= latest
                    if on_the_clock and inside:
                        leads_at.setdefault(start, []).append(lead)
                    offset += service.step
        day += timedelta(days=1)

    slots = []
    for start in sorted(leads_at):
        end = start + service.duration
        span = (start - service.buffer_before, end + service.buffer_after)
        for combo in itertools.product(leads_at[start], *needs[1:]):
            if len(set(combo)) == len(combo) and all(is_free(r, *span) for r in combo):
                slots.append(Slot(start, end, tuple(combo)))
                break
    return slots
