"""Every write to an appointment: one transaction, one audit event, emails queued with it.

`booking` (patients book themselves), `changes` (move or cancel a booking), `staff` (the
calendar's writes, no-show follow-ups), `waitlist` (joins, offers of freed times) and
`waitlist_accept` (an accepted offer books, or moves a later booking) share `common`
(errors, checks, the slot re-check, locks). Actions take the acting user and an
`AuditContext`, never the request. Import from here.
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
    dismiss_follow_up,
    mark_arrived,
    mark_no_show,
    staff_cancel,
    staff_create,
    staff_move,
)
from annulus.scheduling.actions.waitlist import (
    OfferGone,
    expire_due,
    find_offer,
    join_from_booking,
    join_waitlist,
    join_waitlist_online,
    offer_freed,
    remove_from_waitlist,
)
from annulus.scheduling.actions.waitlist_accept import accept_offer

__all__ = [
    "BookingError",
    "NotAllowed",
    "OfferGone",
    "PatientDetails",
    "SlotTaken",
    "accept_offer",
    "book_appointment",
    "cancel",
    "check_lead",
    "check_mode",
    "check_start",
    "dismiss_follow_up",
    "expire_due",
    "find_offer",
    "join_from_booking",
    "join_waitlist",
    "join_waitlist_online",
    "mark_arrived",
    "mark_no_show",
    "offer_freed",
    "refusal",
    "remove_from_waitlist",
    "reschedule",
    "staff_cancel",
    "staff_create",
    "staff_move",
]
