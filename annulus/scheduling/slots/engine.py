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
from zoneinfo import ZoneInfo

from .hours import HoursIndex, days, merge
from .localtime import resolve_wall, wall_exists
from .model import Availability, Busy, Service, Slot, SlotInputError, check_aware

__all__ = ["SlotCheck", "check_slot", "compute_slots"]

_DAY = timedelta(days=1)

_Interval = tuple[datetime, datetime]


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
        merged = merge(intervals)
        self._starts = [start for start, _ in merged]
        self._ends = [end for _, end in merged]

    def covers(self, start: datetime, end: datetime) -> bool:
        i = bisect_right(self._starts, start) - 1
        return i >= 0 and end <= self._ends[i]

    def hits(self, start: datetime, end: datetime) -> bool:
        i = bisect_right(self._ends, start)  # first interval ending after `start`
        return i < len(self._starts) and self._starts[i] < end


def _windows(
    availability: Availability, resources: Sequence[str], first: date, last: date
) -> dict[str, list[_Window]]:
    zone = availability.tzinfo
    hours = HoursIndex(availability, resources, first, last)
    windows: dict[str, list[_Window]] = {}
    for resource in resources:
        found = windows[resource] = []
        for day in days(first, last):
            for wall_start, wall_end in hours.wall_hours(resource, day):
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
    search = _Search.build(
        availability, service, needs, busy, now=now, first_day=first_day, last_day=last_day
    )
    slots: list[Slot] = []
    for start in sorted(search.leads_at):
        slot = search.slot(start, search.taken)
        if slot is not None:
            slots.append(slot)
    return slots


@dataclass(frozen=True, slots=True)
class SlotCheck:
    """One start checked: the free slot there, if any, and whether it is a slot time at all."""

    slot: Slot | None
    offered: bool  # a slot of the service starts here when bookings are ignored


def check_slot(
    availability: Availability,
    service: Service,
    needs: Sequence[Sequence[str]],
    busy: Iterable[Busy] = (),
    *,
    now: datetime,
    start: datetime,
) -> SlotCheck:
    """The slot `compute_slots` would offer at `start` on its local date, in one computation.

    When there is none, `offered` tells a time that is not a slot of the service (off the grid,
    closed, outside notice) from one whose resources are taken.
    """
    check_aware(start, "start")
    day = start.astimezone(availability.tzinfo).date()
    search = _Search.build(availability, service, needs, busy, now=now, first_day=day, last_day=day)
    at = start.astimezone(UTC)
    if at not in search.leads_at:
        return SlotCheck(None, offered=False)
    slot = search.slot(at, search.taken)
    if slot is not None:
        return SlotCheck(slot, offered=True)
    return SlotCheck(None, offered=search.slot(at, search.nothing_taken) is not None)


@dataclass(frozen=True, slots=True)
class _Search:
    """Everything `compute_slots` reads, indexed: grid starts with their leads, hours, busy."""

    service: Service
    roles: tuple[tuple[str, ...], ...]
    leads_at: dict[datetime, list[str]]
    opened: dict[str, _Index]
    taken: dict[str, _Index]
    nothing_taken: dict[str, _Index]

    @classmethod
    def build(
        cls,
        availability: Availability,
        service: Service,
        needs: Sequence[Sequence[str]],
        busy: Iterable[Busy],
        *,
        now: datetime,
        first_day: date,
        last_day: date,
    ) -> _Search:
        roles = _check_needs(needs)
        check_aware(now, "now")
        if first_day > last_day:
            raise SlotInputError(f"first_day ({first_day}) is after last_day ({last_day})")
        zone = availability.tzinfo
        earliest = (now + service.min_notice).astimezone(UTC)
        latest = (now + service.max_advance).astimezone(UTC)
        # No date outside the notice/advance horizon can hold a slot; a day's margin covers
        # zones whose clocks fall back across midnight.
        first = max(first_day, earliest.astimezone(zone).date() - _DAY)
        last = min(last_day, latest.astimezone(zone).date() + _DAY)
        resources = sorted({resource for role in roles for resource in role})
        empty = {r: _Index(()) for r in resources}
        if first > last:
            return cls(service, roles, {}, empty, empty, empty)

        # A day either side so buffers and other roles can be checked against neighbouring
        # hours.
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
        return cls(service, roles, leads_at, opened, taken, empty)

    def slot(self, start: datetime, taken: Mapping[str, _Index]) -> Slot | None:
        """The slot at a grid start, with the first workable resources, or None."""
        end = start + self.service.duration
        span = (start - self.service.buffer_before, end + self.service.buffer_after)
        roles = (tuple(self.leads_at[start]), *self.roles[1:])
        chosen = _assign(roles, span, self.opened, taken, ())
        return None if chosen is None else Slot(start, end, chosen)


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
