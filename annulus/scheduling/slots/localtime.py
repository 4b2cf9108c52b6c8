"""Local wall time ↔ UTC, with the daylight-saving rules of the slot computation spelled out.

A wall time is a local date plus the time elapsed on the wall clock since local midnight
(a `timedelta`), so no naive datetime is ever built. Two situations need a rule:

* **A wall time that does not exist** (spring forward, e.g. 02:30 on 2027-03-14 in
  America/Chicago): as a window boundary it resolves to the moment the clocks jump (03:00 CDT),
  the first instant whose wall time is at or after it. It is never a slot start.
* **A wall time that occurs twice** (fall back, e.g. 01:30 on 2027-11-07 in America/Chicago):
  it resolves to its first occurrence (`fold=0`, 01:30 CDT = 06:30 UTC). The second occurrence
  is never a slot start, so no two slots share a local label.

Both cases are the same rule: a wall time resolves to the first instant whose local wall time
on that date is at or after it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .model import Slot

__all__ = ["overlaps", "resolve_wall", "since_midnight", "to_local_label", "wall_exists"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)
_DASH = "\u2013"  # en dash: "09:00" + _DASH + "09:30"


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Whether the half-open intervals [a_start, a_end) and [b_start, b_end) share an instant.

    Back-to-back intervals (one ends when the other starts) do not overlap, and an empty
    interval (start >= end) overlaps nothing, as with PostgreSQL's ``tstzrange(..., '[)')``.
    """
    return a_start < b_end and b_start < a_end and a_start < a_end and b_start < b_end


def since_midnight(value: time) -> timedelta:
    """Wall-clock time elapsed since local midnight."""
    return timedelta(
        hours=value.hour,
        minutes=value.minute,
        seconds=value.second,
        microseconds=value.microsecond,
    )


def _wall(day: date, offset: timedelta, zone: ZoneInfo) -> datetime:
    # Aware arithmetic within one tzinfo is wall-clock arithmetic (fold=0): this is a label,
    # not yet an instant.
    return datetime.combine(day, time(0), tzinfo=zone) + offset


def _shows(instant: datetime, wall: datetime, zone: ZoneInfo) -> bool:
    local = instant.astimezone(zone)
    return local.date() == wall.date() and local.time() == wall.time()


def wall_exists(day: date, offset: timedelta, zone: ZoneInfo) -> datetime | None:
    """The UTC instant showing this wall time (first occurrence), or None inside a gap."""
    wall = _wall(day, offset, zone)
    instant = wall.astimezone(UTC)
    return instant if _shows(instant, wall, zone) else None


def resolve_wall(day: date, offset: timedelta, zone: ZoneInfo) -> datetime:
    """The first UTC instant whose wall time on `day` is at or after `offset` past midnight."""
    found = wall_exists(day, offset, zone)
    return found if found is not None else _gap_end(_wall(day, offset, zone), zone)


def _to_seconds(instant: datetime) -> int:
    return (instant - _EPOCH) // _SECOND


def _gap_end(wall: datetime, zone: ZoneInfo) -> datetime:
    # zoneinfo exposes no transition list. For a wall time in a gap, fold=1 reads it with the
    # offset after the jump (an instant before the jump) and fold=0 with the offset before it
    # (an instant after the jump); bisect between them on whole seconds, the resolution of
    # tzdata transitions. A gap is at most a few hours: about a dozen steps.
    low = _to_seconds(wall.replace(fold=1).astimezone(UTC))
    after = wall.astimezone(UTC)
    high = _to_seconds(after)
    offset_after = after.astimezone(zone).utcoffset()
    while high - low > 1:
        middle = (low + high) // 2
        if (_EPOCH + middle * _SECOND).astimezone(zone).utcoffset() == offset_after:
            high = middle
        else:
            low = middle
    return _EPOCH + high * _SECOND


def to_local_label(slot: Slot, zone: str | ZoneInfo) -> str:
    """A display label in the location's zone, e.g. ``2027-11-07 01:00-01:30 CDT``.

    The times are joined by an en dash (U+2013). The zone abbreviation tells the two passes
    of a repeated hour apart. A span that crosses a date or an offset change (never produced
    by `compute_slots`) names both ends in full.
    """
    tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    start = slot.start.astimezone(tz)
    end = slot.end.astimezone(tz)
    if start.date() == end.date() and start.utcoffset() == end.utcoffset():
        return f"{start:%Y-%m-%d %H:%M}{_DASH}{end:%H:%M} {start:%Z}"
    return f"{start:%Y-%m-%d %H:%M %Z} {_DASH} {end:%Y-%m-%d %H:%M %Z}"
