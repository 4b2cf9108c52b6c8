"""Inputs and output of the slot computation: frozen dataclasses, validated when created.

Local hours are wall-clock `time` values without tzinfo, read in the location's IANA zone.
Instants (`now`, busy intervals, slots) are timezone-aware datetimes; slots are always in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "Availability",
    "Busy",
    "Closure",
    "ExtraHours",
    "Service",
    "Slot",
    "SlotInputError",
    "WeeklyRule",
]

_ZERO = timedelta(0)


class SlotInputError(ValueError):
    """Input that cannot describe availability. The message names the field."""


def check_aware(value: datetime, field: str) -> None:
    """Refuse a naive datetime: an instant without an offset is ambiguous by construction."""
    if value.utcoffset() is None:
        raise SlotInputError(f"{field} must be timezone-aware (got naive {value.isoformat()})")


def _check_wall_hours(start: time, end: time, what: str) -> None:
    if start.tzinfo is not None or end.tzinfo is not None:
        raise SlotInputError(f"{what}: start and end are local wall times and take no tzinfo")
    if not start < end:
        raise SlotInputError(
            f"{what}: start ({start.isoformat()}) must be before end ({end.isoformat()}) "
            "on the same local day"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class WeeklyRule:
    """A resource is open every `weekday` (Monday=0 … Sunday=6) from `start` to `end`, local."""

    resource: str
    weekday: int
    start: time
    end: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise SlotInputError(f"weekday must be 0 (Monday) to 6 (Sunday), got {self.weekday}")
        _check_wall_hours(self.start, self.end, f"weekly rule for {self.resource}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Closure:
    """Closed on the local dates `first_day`..`last_day` inclusive (holiday, leave).

    `resource=None` closes the whole location. A closure removes weekly hours only; extra
    hours entered for a date inside a closure still open (the more specific entry wins).
    """

    first_day: date
    last_day: date
    resource: str | None = None
    reason: str = ""  # for people ("Leave"); the rule does not read it

    def __post_init__(self) -> None:
        if self.first_day > self.last_day:
            raise SlotInputError(
                f"closure: first_day ({self.first_day}) is after last_day ({self.last_day})"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtraHours:
    """One-off opening of a resource on the local date `day`, from `start` to `end`."""

    resource: str
    day: date
    start: time
    end: time

    def __post_init__(self) -> None:
        _check_wall_hours(self.start, self.end, f"extra hours for {self.resource} on {self.day}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Availability:
    """Opening hours of a location's resources, all read in the IANA zone `zone`."""

    zone: str
    rules: tuple[WeeklyRule, ...] = ()
    closures: tuple[Closure, ...] = ()
    extra_hours: tuple[ExtraHours, ...] = ()

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SlotInputError(f"zone must be an IANA time zone name, got {self.zone!r}") from exc

    @property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.zone)  # ZoneInfo caches instances: this is a dictionary look-up


@dataclass(frozen=True, slots=True, kw_only=True)
class Service:
    """The timing of a bookable service.

    Slot starts lie on a grid of `step` from the start of the open hours. Buffers are time the
    resources need before and after the appointment; they must fit inside the open hours and
    be free, but are not part of the slot. `min_notice` and `max_advance` bound the slot start
    relative to `now` (both inclusive).
    """

    duration: timedelta
    step: timedelta
    min_notice: timedelta
    max_advance: timedelta
    buffer_before: timedelta = _ZERO
    buffer_after: timedelta = _ZERO

    def __post_init__(self) -> None:
        for field in ("duration", "step"):
            if getattr(self, field) <= _ZERO:
                raise SlotInputError(f"{field} must be positive")
        for field in ("min_notice", "max_advance", "buffer_before", "buffer_after"):
            if getattr(self, field) < _ZERO:
                raise SlotInputError(f"{field} must not be negative")


@dataclass(frozen=True, slots=True, kw_only=True)
class Busy:
    """A resource is taken over [start, end): an appointment including its buffers, a block."""

    resource: str
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        check_aware(self.start, "busy start")
        check_aware(self.end, "busy end")
        if not self.start < self.end:
            raise SlotInputError(f"busy interval for {self.resource} must have start before end")


@dataclass(frozen=True, slots=True, order=True)
class Slot:
    """A bookable appointment [start, end) in UTC with one resource per needed role.

    `resources[i]` was chosen from `needs[i]`; `resources[0]` (the lead, usually the
    clinician) is also available as `resource`.
    """

    start: datetime
    end: datetime
    resources: tuple[str, ...]

    @property
    def resource(self) -> str:
        return self.resources[0]
