"""Accepting a waitlist offer: the patient books the freed time through the emailed link.

A patient who already holds a later booking of the offered service waited for an earlier time,
not for a second visit: accepting moves that booking to the offered time (the earliest such
booking when there are several), in the same transaction. They keep one booking, its manage
link and its calendar entry (same UID, higher SEQUENCE); they get the "has moved" email, not a
confirmation and a cancellation; the move's audit event and sequence bump are those of any
move; and the time it frees is offered to the next patient waiting. Bookings of other services
are never touched. Otherwise the offered time is booked as a new appointment.

Accepting is idempotent: a second click returns the booking the first one made or moved.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext

from annulus.audit.actions import APPOINTMENT_RESCHEDULED, WAITLIST_ACCEPTED, WAITLIST_OFFER_TAKEN
from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.scheduling import notify, reminders
from annulus.scheduling.actions.common import (
    BookingError,
    NotAllowed,
    SlotTaken,
    assign_clinician,
    hold,
    lock_resources,
    new_appointment,
    now_or,
    pick,
    reload,
)
from annulus.scheduling.actions.waitlist import OfferGone, booking_to_replace
from annulus.scheduling.availability import candidates
from annulus.scheduling.models import Appointment, Source, WaitlistEntry, WaitStatus

__all__ = ["accept_offer"]


def accept_offer(
    entry_id: int,
    *,
    ctx: AuditContext | None,
    base: str = "",
    now: datetime | None = None,
) -> Appointment:
    """Book the offered time for the waiting patient (or move their later booking of the
    service to it). A second accept returns the same booking.

    Raises OfferGone when the offer expired or was withdrawn, or its time was taken meanwhile
    (the patient then keeps their place: the entry is waiting again).
    """
    now = now_or(now)
    with transaction.atomic():
        booked = _accept(entry_id, ctx=ctx, base=base, now=now)
    if booked is None:  # outside the transaction, so the entry's return to the queue is kept
        raise OfferGone(
            gettext("Sorry, this time has just been taken. You are still on the waitlist.")
        )
    return booked


def _accept(
    entry_id: int, *, ctx: AuditContext | None, base: str, now: datetime
) -> Appointment | None:
    """`accept_offer` inside its transaction; None when the time was taken (entry waits again).

    Only the entry's row is locked (`of=("self",)`): FOR UPDATE over the joined service, clinic
    and patient rows would block every booking's foreign-key checks on them while this waits
    for the resource locks those bookings hold, a deadlock (seen in test_waitlist_race).
    """
    entry = (
        WaitlistEntry.objects.select_for_update(of=("self",))
        .select_related("service__location", "service__clinic", "patient", "clinic")
        .get(pk=entry_id)
    )
    if entry.status == WaitStatus.BOOKED and entry.appointment_id:
        return reload(entry.appointment_id)
    if entry.status != WaitStatus.OFFERED or entry.offer_start is None:
        raise OfferGone(gettext("This offer is no longer open."))
    if entry.offer_expires_at is None or entry.offer_expires_at <= now:
        raise OfferGone(
            gettext("This offer has expired and has passed to the next person waiting.")
        )
    audit_ctx = ctx or AuditContext()
    replaced = booking_to_replace(entry, entry.offer_start)
    try:
        with transaction.atomic():
            if replaced is not None:
                appointment = _move(entry, replaced, ctx=audit_ctx, base=base, now=now)
            else:
                appointment = _book(entry, base=base, now=now)
    except (SlotTaken, BookingError, NotAllowed):
        entry.status = WaitStatus.WAITING
        entry.offer_token_hash = None
        entry.save(update_fields=["status", "offer_token_hash"])
        record(
            WAITLIST_OFFER_TAKEN,
            ctx=ctx,
            clinic=entry.clinic,
            patient_id=entry.patient_id,
            obj=entry,
        )
        return None
    held = tuple(
        appointment.occupancies.order_by("role_position").values_list("resource__slug", flat=True)
    )
    assign_clinician(entry.patient, entry.service, held, actor=None, ctx=audit_ctx)
    entry.status, entry.appointment, entry.closed_at = WaitStatus.BOOKED, appointment, now
    entry.save(update_fields=["status", "appointment", "closed_at"])
    record(
        WAITLIST_ACCEPTED,
        ctx=ctx,
        clinic=appointment.clinic,
        patient_id=appointment.patient_id,
        obj=appointment,
        details={
            "entry": entry.pk,
            "service": entry.service.slug,
            "resources": list(held),
            "moved_booking": replaced is not None,
        },
    )
    return appointment


def _book(entry: WaitlistEntry, *, base: str, now: datetime) -> Appointment:
    """A new appointment at the offered time, with its confirmation and reminders."""
    service, start = entry.service, entry.offer_start
    assert start is not None  # checked by the caller
    roles = candidates(service)
    lead = entry.offer_resource or None
    lock_resources(service, lead, roles=roles)
    end, resources = pick(service, start, lead=lead, now=now, staff=True, roles=roles)
    appointment = new_appointment(
        service,
        patient=entry.patient,
        start=start,
        end=end,
        mode=service.modes()[0],
        source=Source.WAITLIST,
    )
    hold(appointment, resources, roles=roles)
    appointment = reload(appointment.pk)
    notify.to_patient(appointment, "confirmation", base)
    reminders.schedule(appointment, base, now=now)
    return appointment


def _move(
    entry: WaitlistEntry, booking: Appointment, *, ctx: AuditContext, base: str, now: datetime
) -> Appointment:
    """Move the patient's later booking to the offered time: the move re-checks the time,
    sends the "has moved" email with the updated .ics, recomputes the reminders, offers the
    freed later time to the next patient waiting and records `appointment.rescheduled`."""
    from annulus.scheduling.actions.changes import move  # changes imports the waitlist

    assert entry.offer_start is not None  # checked by the caller
    return move(
        ctx,
        booking,
        entry.offer_start,
        lead=entry.offer_resource or None,
        staff=True,  # as the offer was checked: inside the online notice is fine
        outside_hours=False,
        base=base,
        now=now,
        action=APPOINTMENT_RESCHEDULED,
    )
