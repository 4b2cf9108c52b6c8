"""The opening-hours rule: when is a resource open on a local date.

A resource's open hours on a local date are its weekly rules for that weekday, unless a closure
(of the resource or of the whole location) covers the date, plus its extra hours for the date:
a closure removes weekly hours only, so extra hours entered for a closed date still open. Spans
that overlap or touch merge into one. The slot computation and the staff calendar both read
hours through this rule, so what staff see is what patients can book.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

from .localtime import since_midnight
from .model import Availability, Closure

__all__ = ["HoursIndex", "OpenHours", "opening_hours"]

_DAY = timedelta(days=1)
_T = TypeVar("_T", datetime, timedelta)
WallHours = tuple[timedelta, timedelta]


def merge(intervals: Iterable[tuple[_T, _T]]) -> list[tuple[_T, _T]]:
    """Union of intervals; overlapping or touching ones become one."""
    merged: list[tuple[_T, _T]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += _DAY


class HoursIndex:
    """The opening-hours rule for some resources over the local dates first..last, indexed."""

    __slots__ = ("_closed", "_extra", "_weekly")

    def __init__(
        self, availability: Availability, resources: Sequence[str], first: date, last: date
    ) -> None:
        wanted = set(resources)
        self._weekly: dict[tuple[str, int], list[WallHours]] = {}
        for rule in availability.rules:
            if rule.resource in wanted:
                self._weekly.setdefault((rule.resource, rule.weekday), []).append(
                    (since_midnight(rule.start), since_midnight(rule.end))
                )
        self._extra: dict[tuple[str, date], list[WallHours]] = {}
        for more in availability.extra_hours:
            if more.resource in wanted and first <= more.day <= last:
                self._extra.setdefault((more.resource, more.day), []).append(
                    (since_midnight(more.start), since_midnight(more.end))
                )
        # (resource or None for the whole location, date) -> (position, closure): the first
        # closure given for a date is the one named.
        self._closed: dict[tuple[str | None, date], tuple[int, Closure]] = {}
        for position, closure in enumerate(availability.closures):
            for day in days(max(closure.first_day, first), min(closure.last_day, last)):
                self._closed.setdefault((closure.resource, day), (position, closure))

    def closure(self, resource: str, day: date) -> Closure | None:
        """The closure that removes the resource's weekly hours on this date, if any."""
        found = [
            hit
            for hit in (self._closed.get((resource, day)), self._closed.get((None, day)))
            if hit is not None
        ]
        return min(found, key=lambda hit: hit[0])[1] if found else None

    def wall_hours(self, resource: str, day: date) -> list[WallHours]:
        """Merged open hours as wall-clock offsets from local midnight, in order."""
        weekly = (
            [] if self.closure(resource, day) else self._weekly.get((resource, day.weekday()), [])
        )
        return merge([*weekly, *self._extra.get((resource, day), [])])


@dataclass(frozen=True, slots=True)
class OpenHours:
    """A resource's open hours on one local date, and the closure that shut its weekly hours."""

    spans: tuple[tuple[time, time], ...]
    closure: Closure | None


def _clock(offset: timedelta) -> time:
    return (datetime.min.replace(tzinfo=UTC) + offset).time()


def opening_hours(availability: Availability, resource: str, day: date) -> OpenHours:
    """The open hours of `resource` on the local date `day`, by the rule above."""
    index = HoursIndex(availability, [resource], day, day)
    spans = tuple((_clock(a), _clock(b)) for a, b in index.wall_hours(resource, day))
    return OpenHours(spans=spans, closure=index.closure(resource, day))
