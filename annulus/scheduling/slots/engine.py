"""compute_slots: open windows per resource and date, a wall-clock grid, then an assignment.

Cost: O(days * windows) zone conversions to build windows, O(grid points * roles *
candidates * log busy) to check them. Busy intervals and open hours are merged and sorted
once and then searched with bisect; nothing scans all busy intervals per slot.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from .localtime import resolve_wall, since_midnight, wall_exists
from .model import Availability, Busy, Service, Slot, SlotInputError, check_aware

__all__ = ["compute_slots"]

_DAY = timedelta(days=1)

_Interval = tuple[datetime, datetime]
_WallHours = tuple[timedelta, timedelta]
_T = TypeVar("_T", datetime, timedelta)


@dataclass(frozen=True, slots=True)
class _Window:
    """Merged open hours of one resource on one local date, as wall offsets and UTC."""

    day: date
    wall_start: timedelta
    wall_end: timedelta
    start: datetime
    end: datetime


class _Index:
    """Sorted, disjoint half-open intervals; containment and overlap queries by bisect."""

    __slots__ = ("_ends", "_starts")

    def __init__(self, intervals: Iterable[_Interval]) -> None:
        merged = _merge(intervals)
        self._starts = [start for start, _ in merged]
        self._ends = [end for _, end in merged]

    def covers(self, start: datetime, end: datetime) -> bool:
        i = bisect_right(self._starts, start) - 1
        return i >= 0 and end <= self._ends[i]

    def hits(self, start: datetime, end: datetime) -> bool:
        i = bisect_right(self._ends, start)  # first interval ending after `start`
        return i < len(self._starts) and self._starts[i] < end


def _merge(intervals: Iterable[tuple[_T, _T]]) -> list[tuple[_T, _T]]:
    """Union of intervals; overlapping or touching ones become one."""
    merged: list[tuple[_T, _T]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += _DAY


def _windows(
    availability: Availability, resources: Sequence[str], first: date, last: date
) -> dict[str, list[_Window]]:
    zone = availability.tzinfo
    wanted = set(resources)
    weekly: dict[tuple[str, int], list[_WallHours]] = {}
    for rule in availability.rules:
        if rule.resource in wanted:
            weekly.setdefault((rule.resource, rule.weekday), []).append(
                (since_midnight(rule.start), since_midnight(rule.end))
            )
    extra: dict[tuple[str, date], list[_WallHours]] = {}
    for more in availability.extra_hours:
        if more.resource in wanted and first <= more.day <= last:
            extra.setdefault((more.resource, more.day), []).append(
                (since_midnight(more.start), since_midnight(more.end))
            )
    closed: dict[str | None, set[date]] = {}
    for closure in availability.closures:
        days = _days(max(closure.first_day, first), min(closure.last_day, last))
        closed.setdefault(closure.resource, set()).update(days)
    everyone = closed.get(None, set())

    windows: dict[str, list[_Window]] = {}
    for resource in resources:
        own = closed.get(resource, set())
        found = windows[resource] = []
        for day in _days(first, last):
            hours = (
                [] if day in own or day in everyone else weekly.get((resource, day.weekday()), [])
            )
            for wall_start, wall_end in _merge([*hours, *extra.get((resource, day), [])]):
                start = resolve_wall(day, wall_start, zone)
                end = resolve_wall(day, wall_end, zone)
                if start < end:  # hours lying wholly inside a spring-forward gap are dropped
                    found.append(_Window(day, wall_start, wall_end, start, end))
    return windows


def _grid(
    window: _Window, duration: timedelta, step: timedelta, zone: ZoneInfo
) -> Iterator[datetime]:
    """UTC starts of slots on the wall-clock grid `wall_start + k * step` of one window.

    A grid point is skipped when its wall time does not exist, or when the UTC offset changes
    inside the slot: its local end would then not read start + duration (e.g. 01:30 CST +
    30 min = 03:00 CDT), so it would not end at a configured local time.
    """
    offset = window.wall_start
    while offset + duration <= window.wall_end:
        start = wall_exists(window.day, offset, zone)
        if start is not None:
            end = start + duration
            same_offset = end.astimezone(zone).utcoffset() == start.astimezone(zone).utcoffset()
            if same_offset and window.start <= start and end <= window.end:
                yield start
        offset += step


def _check_needs(needs: Sequence[Sequence[str]]) -> tuple[tuple[str, ...], ...]:
    roles = tuple(tuple(role) for role in needs)
    if not roles:
        raise SlotInputError("needs must name at least one role")
    for i, role in enumerate(roles):
        if not role:
            raise SlotInputError(f"needs[{i}] must name at least one resource")
        if len(set(role)) != len(role):
            raise SlotInputError(f"needs[{i}] names a resource twice")
    return roles


def compute_slots(
    availability: Availability,
    service: Service,
    needs: Sequence[Sequence[str]],
    busy: Iterable[Busy] = (),
    *,
    now: datetime,
    first_day: date,
    last_day: date,
) -> list[Slot]:
    """Bookable slots starting on the local dates `first_day`..`last_day`, ordered by start.

    `needs` lists the roles a service fills at the same time, each as candidate resources in
    order of preference, e.g. ``[["dr-ames", "dr-baker"], ["procedure-room"]]``. The first
    role leads: slot starts lie on the grid of its resources' open hours. Every other role
    needs one resource open and free over the slot and its buffers. One slot is returned per
    start instant, with one distinct resource per role: the first workable choice in
    preference order (role by role, earlier roles first).

    A resource's open hours on a local date are its weekly rules for that weekday (unless a
    closure covers the date) plus its extra hours for the date; spans that overlap or touch
    merge into one window, and the grid starts at the merged window's start.

    A slot [start, start + duration) is offered when:

    * its local start is `window start + k * service.step` on the wall clock, exists, and is
      the first occurrence if the wall time occurs twice (see `localtime`);
    * its local end is that wall time plus the duration (no offset change inside the slot),
      no later than the window end;
    * [start - buffer_before, end + buffer_after) lies inside open hours and overlaps no busy
      interval of each assigned resource (half-open: back-to-back is fine);
    * ``now + min_notice <= start <= now + max_advance``.

    All returned datetimes are in UTC. Raises `SlotInputError` for malformed input.
    """
    roles = _check_needs(needs)
    check_aware(now, "now")
    if first_day > last_day:
        raise SlotInputError(f"first_day ({first_day}) is after last_day ({last_day})")
    zone = availability.tzinfo
    earliest = (now + service.min_notice).astimezone(UTC)
    latest = (now + service.max_advance).astimezone(UTC)
    # No date outside the notice/advance horizon can hold a slot; a day's margin covers zones
    # whose clocks fall back across midnight.
    first = max(first_day, earliest.astimezone(zone).date() - _DAY)
    last = min(last_day, latest.astimezone(zone).date() + _DAY)
    if first > last:
        return []

    resources = sorted({resource for role in roles for resource in role})
    # A day either side so buffers and other roles can be checked against neighbouring hours.
    windows = _windows(availability, resources, first - _DAY, last + _DAY)
    opened = {r: _Index((w.start, w.end) for w in windows[r]) for r in resources}
    taken_by: dict[str, list[_Interval]] = {r: [] for r in resources}
    for block in busy:
        if block.resource in taken_by:
            taken_by[block.resource].append(
                (block.start.astimezone(UTC), block.end.astimezone(UTC))
            )
    taken = {r: _Index(intervals) for r, intervals in taken_by.items()}

    leads_at: dict[datetime, list[str]] = {}
    for lead in roles[0]:
        for window in windows[lead]:
            if first <= window.day <= last:
                for start in _grid(window, service.duration, service.step, zone):
                    if earliest <= start <= latest:
                        leads_at.setdefault(start, []).append(lead)

    slots: list[Slot] = []
    for start in sorted(leads_at):
        end = start + service.duration
        span = (start - service.buffer_before, end + service.buffer_after)
        chosen = _assign((tuple(leads_at[start]), *roles[1:]), span, opened, taken, ())
        if chosen is not None:
            slots.append(Slot(start, end, chosen))
    return slots


def _assign(
    roles: Sequence[tuple[str, ...]],
    span: _Interval,
    opened: Mapping[str, _Index],
    taken: Mapping[str, _Index],
    chosen: tuple[str, ...],
) -> tuple[str, ...] | None:
    """First workable choice, one distinct free resource per role, in preference order.

    Depth-first over the roles in order, so an earlier role keeps its preferred resource
    whenever some choice for the later roles works. Roles are few; this stays tiny.
    """
    if len(chosen) == len(roles):
        return chosen
    for resource in roles[len(chosen)]:
        if (
            resource not in chosen
            and opened[resource].covers(*span)
            and not taken[resource].hits(*span)
        ):
            found = _assign(roles, span, opened, taken, (*chosen, resource))
            if found is not None:
                return found
    return None
