"""Pure slot computation for the scheduling app: standard library only, no Django.

Inputs are frozen dataclasses (`Availability` with `WeeklyRule`, `Closure`, `ExtraHours`;
`Service`; `Busy`); `compute_slots` returns ordered `Slot`s in UTC.

Daylight saving, decided once here and tested for every day of two years in several zones:

* Slot starts are wall-clock times `window start + k * step` in the location's zone.
* A wall time that does not exist (spring forward) is never a slot start; as the start or end
  of open hours it resolves to the moment the clocks jump.
* A wall time that occurs twice (fall back) resolves to its first occurrence (``fold=0``);
  the repeated hour's second pass never starts a slot, so no two slots share a local label.
* Durations and buffers are real elapsed time. A slot inside which the UTC offset changes is
  not offered: its local end would not read start + duration.
"""

from .engine import SlotCheck, check_slot, compute_slots
from .hours import OpenHours, opening_hours
from .localtime import overlaps, to_local_label
from .model import (
    Availability,
    Busy,
    Closure,
    ExtraHours,
    Service,
    Slot,
    SlotInputError,
    WeeklyRule,
)

__all__ = [
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
]
