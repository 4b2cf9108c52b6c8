"""Locations, resources, services, opening hours, appointments and what they hold.

Every instant is stored in UTC (`USE_TZ`); local hours are wall-clock times read in the
location's IANA zone, and only the pure core (`annulus.scheduling.slots`) turns one into the
other. An appointment holds its resources through `Occupancy` rows, one per resource, over the
appointment plus its buffers: the exclusion constraint on those rows is what makes a double
booking impossible on PostgreSQL, whichever code path writes.
"""

from annulus.scheduling.models.appointments import (
    ACTIVE,
    Appointment,
    AppointmentQuerySet,
    IdempotencyKey,
    Occupancy,
    Reminder,
    ReminderStatus,
    Source,
    Status,
)
from annulus.scheduling.models.hours import Closure, ExtraHours, WeeklyHours
from annulus.scheduling.models.setup import (
    Delivery,
    Location,
    Mode,
    Resource,
    ResourceKind,
    RoleCandidate,
    Service,
    ServiceRole,
)
from annulus.scheduling.models.waitlist import OPEN, WaitlistEntry, WaitStatus

__all__ = [
    "ACTIVE",
    "OPEN",
    "Appointment",
    "AppointmentQuerySet",
    "Closure",
    "Delivery",
    "ExtraHours",
    "IdempotencyKey",
    "Location",
    "Mode",
    "Occupancy",
    "Reminder",
    "ReminderStatus",
    "Resource",
    "ResourceKind",
    "RoleCandidate",
    "Service",
    "ServiceRole",
    "Source",
    "Status",
    "WaitStatus",
    "WaitlistEntry",
    "WeeklyHours",
]
