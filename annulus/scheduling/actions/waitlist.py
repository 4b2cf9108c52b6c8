"""The waitlist's writes: join, offer a freed time, accept an offer, let an offer lapse, remove
(by staff, or the patient leaving from their manage page or the API).

A time frees up when an appointment is cancelled or moved (`changes`). In that transaction,
`offer_freed` offers the freed start to the first waiting patient of the service: an email with
a link (no clinical details, no time: the link shows it), valid for OFFER_HOURS. Nothing holds
the time meanwhile; accepting re-checks it like any booking and books it, so the offer can
never double-book. Accepting is idempotent (a second click returns the same appointment). When
the offer expires (a deferred task, also run by `expire_due`) the entry lapses and the time
passes to the next patient waiting, if it is still free.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django_tasks import task

from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.lib.tokens import looks_like_token, new_token, token_hash
from annulus.notifications.actions import queue_email
from annulus.patients.models import Patient
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
from annulus.scheduling.availability import candidates, check_slot
from annulus.scheduling.models import (
    Appointment,
    Service,
    Source,
    WaitlistEntry,
    WaitStatus,
)

if TYPE_CHECKING:
    from annulus.accounts.models import User

OFFER_HOURS = 2

__all__ = [
    "OFFER_HOURS",
    "OfferGone",
    "accept_offer",
    "expire_due",
    "find_offer",
    "join_waitlist",
    "join_waitlist_online",
    "offer_freed",
    "remove_from_waitlist",
]


class OfferGone(Exception):
    """The offer expired, was withdrawn or its time was taken; the message says which."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def join_waitlist(
    service: Service,
    patient: Patient,
    *,
    actor: User | None,
    ctx: AuditContext | None,
    now: datetime | None = None,
) -> WaitlistEntry:
    """Put the patient on the service's waitlist; already on it, their place is kept."""
    if patient.clinic_id != service.clinic_id:
        raise BookingError("patient", "That patient belongs to another clinic.", "wrong_clinic")
    if not service.active:
        raise BookingError("service", "This service is not offered.", "unknown_service")
    with transaction.atomic():
        existing = WaitlistEntry.objects.filter(
            service=service, patient=patient, status__in=[WaitStatus.WAITING, WaitStatus.OFFERED]
        ).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                entry = WaitlistEntry.objects.create(
                    clinic_id=service.clinic_id,
                    service=service,
                    patient=patient,
                    joined_at=now_or(now),
                    joined_by=actor,
                )
        except IntegrityError:  # a double submit that queued behind its twin
            return WaitlistEntry.objects.get(
                service=service,
                patient=patient,
                status__in=[WaitStatus.WAITING, WaitStatus.OFFERED],
            )
        record(
            "waitlist.joined",
            ctx=ctx,
            actor=actor,
            clinic=service.clinic,
            patient_id=patient.pk,
            obj=entry,
            details={"service": service.slug, "by": "staff" if actor else "patient"},
        )
        return entry


def join_waitlist_online(
    service: Service, details: Any, *, ctx: AuditContext | None, now: datetime | None = None
) -> WaitlistEntry:
    """Someone on the booking page found no time that fits and asks to wait for one.

    The patient is found by email and date of birth, or created, as a booking does.
    """
    from annulus.scheduling.actions.booking import patient_for

    if not (service.online_bookable and service.active):
        raise BookingError(
            "service", gettext("This service cannot be booked online."), "unknown_service"
        )
    with transaction.atomic():
        patient, _created = patient_for(
            service, details, veteran=None, clinician_id=None, ctx=ctx or AuditContext()
        )
        return join_waitlist(service, patient, actor=None, ctx=ctx, now=now)


def offer_freed(
    service: Service,
    start: datetime,
    *,
    ctx: AuditContext | None,
    base: str,
    now: datetime,
    resource: str = "",
) -> WaitlistEntry | None:
    """Offer a time that just freed up to the first patient waiting; inside the caller's
    transaction. Nothing happens when nobody waits, the time is past, or it is not free."""
    if start <= now:
        return None
    if WaitlistEntry.objects.filter(
        service=service, status=WaitStatus.OFFERED, offer_start=start
    ).exists():
        return None  # this time is already on offer to someone
    found = check_slot(service, start, now=now, lead=resource or None, staff=True)
    if found.slot is None:
        return None
    entry = (
        WaitlistEntry.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(service=service, status=WaitStatus.WAITING)
        .select_related("patient", "clinic")
        .order_by("joined_at", "id")
        .first()
    )
    if entry is None:
        return None
    token = new_token()
    entry.status = WaitStatus.OFFERED
    entry.offer_start, entry.offer_resource = start, found.slot.resource
    entry.offered_at, entry.offer_expires_at = now, now + timedelta(hours=OFFER_HOURS)
    entry.offer_token_hash = token_hash(token)
    entry.offers_made += 1
    entry.save()
    _email_offer(entry, token, base)
    expire_offer.using(run_after=entry.offer_expires_at).enqueue(entry.pk, base)
    record(
        "waitlist.offered",
        ctx=ctx,
        clinic=entry.clinic,
        patient_id=entry.patient_id,
        obj=entry,
        details={"service": service.slug, "hours": OFFER_HOURS},
    )
    return entry


def _email_offer(entry: WaitlistEntry, token: str, base: str) -> None:
    """A link and its expiry only: the page behind the link shows the time."""
    if not entry.patient.email:
        return
    zone = entry.clinic.zone
    expires = entry.offer_expires_at.astimezone(zone) if entry.offer_expires_at else None
    context = {
        "first_name": entry.patient.first_name,
        "clinic": entry.clinic,
        "url": base + reverse("scheduling:waitlist_offer_link", args=[token]),
        "expires": f"{expires:%-I:%M %p %Z}" if expires else "",
        "hours": OFFER_HOURS,
    }
    # In the patient's language, as every email they get (issue 18).
    with translation.override(entry.patient.language or "en"):
        subject = gettext("A time has opened up at %(clinic)s") % {"clinic": entry.clinic.name}
        body = render_to_string("scheduling/email/waitlist_offer.txt", context)
    queue_email(
        kind="waitlist.offer",
        to=entry.patient.email,
        subject=subject[:200],
        body_text=body,
        clinic=entry.clinic,
        patient_id=entry.patient_id,
        dedupe_key=f"waitlist.offer:{entry.pk}:{entry.offers_made}",
    )


def find_offer(token: str) -> WaitlistEntry | None:
    if not looks_like_token(token):
        return None
    return (
        WaitlistEntry.objects.filter(offer_token_hash=token_hash(token))
        .select_related("service__location", "clinic", "patient")
        .first()
    )


def accept_offer(
    entry_id: int,
    *,
    ctx: AuditContext | None,
    base: str = "",
    now: datetime | None = None,
) -> Appointment:
    """Book the offered time for the waiting patient. A second accept returns the same booking.

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
    service, start = entry.service, entry.offer_start
    roles = candidates(service)
    lead = entry.offer_resource or None
    try:
        with transaction.atomic():
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
    except (SlotTaken, BookingError):
        entry.status = WaitStatus.WAITING
        entry.offer_token_hash = None
        entry.save(update_fields=["status", "offer_token_hash"])
        record(
            "waitlist.offer_taken",
            ctx=ctx,
            clinic=entry.clinic,
            patient_id=entry.patient_id,
            obj=entry,
        )
        return None
    assign_clinician(entry.patient, service, resources, actor=None, ctx=ctx or AuditContext())
    entry.status, entry.appointment, entry.closed_at = WaitStatus.BOOKED, appointment, now
    entry.save(update_fields=["status", "appointment", "closed_at"])
    appointment = reload(appointment.pk)
    notify.to_patient(appointment, "confirmation", base)
    reminders.schedule(appointment, base, now=now)
    record(
        "waitlist.accepted",
        ctx=ctx,
        clinic=appointment.clinic,
        patient_id=appointment.patient_id,
        obj=appointment,
        details={"entry": entry.pk, "service": service.slug, "resources": list(resources)},
    )
    return appointment


def _lapse(entry_id: int, *, base: str, now: datetime) -> bool:
    """Lapse one expired offer and pass its time on. True when it lapsed."""
    with transaction.atomic():
        entry = (
            WaitlistEntry.objects.select_for_update(of=("self",))
            .select_related("service__location", "service__clinic", "clinic")
            .filter(pk=entry_id)
            .first()
        )
        if entry is None or entry.status != WaitStatus.OFFERED:
            return False
        if entry.offer_expires_at is None or entry.offer_expires_at > now:
            return False
        entry.status, entry.closed_at, entry.offer_token_hash = WaitStatus.LAPSED, now, None
        entry.save(update_fields=["status", "closed_at", "offer_token_hash"])
        ctx = AuditContext(request_id=f"waitlist-expiry-{entry.pk}")
        record(
            "waitlist.lapsed",
            ctx=ctx,
            clinic=entry.clinic,
            patient_id=entry.patient_id,
            obj=entry,
            details={"service": entry.service.slug},
        )
        if entry.offer_start is not None:
            offer_freed(
                entry.service,
                entry.offer_start,
                ctx=ctx,
                base=base,
                now=now,
                resource=entry.offer_resource,
            )
        return True


@task()
def expire_offer(entry_id: int, base: str) -> str:
    """Run when an offer's two hours are up: lapse it unless it was accepted."""
    from django.utils import timezone

    return "lapsed" if _lapse(entry_id, base=base, now=timezone.now()) else "nothing to do"


def expire_due(*, base: str = "", now: datetime | None = None) -> int:
    """Lapse every offer past its expiry (a sweep, should a task be lost). How many lapsed."""
    now = now_or(now)
    due = WaitlistEntry.objects.filter(
        status=WaitStatus.OFFERED, offer_expires_at__lte=now
    ).values_list("pk", flat=True)
    return sum(_lapse(pk, base=base, now=now) for pk in list(due))


def remove_from_waitlist(
    entry: WaitlistEntry, *, actor: User | None, ctx: AuditContext | None, now: Any = None
) -> WaitlistEntry:
    """Take the patient off the waitlist (an open offer is withdrawn): staff (`actor`), or the
    patient themselves leaving (no actor)."""
    with transaction.atomic():
        current = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        if current.status not in (WaitStatus.WAITING, WaitStatus.OFFERED):
            raise NotAllowed("This patient is no longer waiting.")
        current.status, current.closed_at = WaitStatus.REMOVED, now_or(now)
        current.offer_token_hash = None
        current.save(update_fields=["status", "closed_at", "offer_token_hash"])
        record(
            "waitlist.removed",
            ctx=ctx,
            actor=actor,
            clinic=current.clinic,
            patient_id=current.patient_id,
            obj=current,
            details={"by": "staff" if actor else "patient"},
        )
        return current
