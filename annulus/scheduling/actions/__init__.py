"""Every write to an appointment: one transaction, one audit event, emails queued with it.

`booking` (patients book themselves), `changes` (move or cancel a booking) and `staff` (the
calendar's writes) share `common` (errors, checks, the slot re-check, locks). Actions take the
acting user and an `AuditContext`, never the request. Import from here.
"""

from annulus.scheduling.actions.booking import book_appointment
from annulus.scheduling.actions.changes import cancel, reschedule
from annulus.scheduling.actions.common import (
    BookingError,
    NotAllowed,
    PatientDetails,
    SlotTaken,
    check_lead,
    check_mode,
    check_start,
    refusal,
)
from annulus.scheduling.actions.staff import (
    mark_arrived,
    mark_no_show,
    staff_cancel,
    staff_create,
    staff_move,
)

__all__ = [
    "BookingError",
    "NotAllowed",
    "PatientDetails",
    "SlotTaken",
    "book_appointment",
    "cancel",
    "check_lead",
    "check_mode",
    "check_start",
    "mark_arrived",
    "mark_no_show",
    "refusal",
    "reschedule",
    "staff_cancel",
    "staff_create",
    "staff_move",
]
