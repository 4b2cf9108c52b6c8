"""The waitlist's writes: join, offer a freed time, let an offer lapse, remove (by staff, or
the patient leaving from their manage page, their place's own link or the API). Accepting an
offer is `waitlist_accept`.

A patient joins from the booking page or the API (with their details; a new place gets its own
emailed link, as they may hold no booking), from their booking's manage page (for an earlier
time of that booking's service), or staff add them. A time frees up when an appointment is
cancelled or moved (`changes`). In that transaction, `offer_freed` offers the freed start to
the first waiting patient of the service who does not already hold that time or an earlier
one: an email with a link (no clinical details, no time: the link shows it), valid for
OFFER_HOURS. Nothing holds the time meanwhile; accepting re-checks it like any booking. When
the offer expires (a deferred task, also run by `expire_due`) the entry lapses and the time
passes to the next patient waiting, if it is still free.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy
from django_tasks import task

from annulus.audit.actions import (
    WAITLIST_JOINED,
    WAITLIST_LAPSED,
    WAITLIST_OFFERED,
    WAITLIST_REMOVED,
)
from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.lib.tokens import looks_like_token, new_token, token_hash
from annulus.notifications.actions import queue_email
from annulus.patients.models import Patient
from annulus.scheduling.actions.common import BookingError, NotAllowed, now_or
from annulus.scheduling.availability import check_slot
from annulus.scheduling.links import new_salt, place_token_for_salt, place_url
from annulus.scheduling.models import (
    OPEN,
    Appointment,
    Service,
    Status,
    WaitlistEntry,
    WaitStatus,
)

if TYPE_CHECKING:
    from annulus.accounts.models import User

OFFER_HOURS = 2

__all__ = [
    "OFFER_HOURS",
    "OfferGone",
    "booking_to_replace",
    "expire_due",
    "find_offer",
    "join_from_booking",
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
    own_link: bool = False,
    base: str = "",
) -> WaitlistEntry:
    """Put the patient on the service's waitlist; already on it, their place is kept.

    `own_link` (staff adding a patient at the desk or on the phone): the new place gets its own
    link, emailed to the patient as an online join's is, so that someone with no booking can see
    their place and leave it without calling. A join from a booking's manage page needs none:
    that page shows the place."""
    return _join(service, patient, actor=actor, ctx=ctx, now=now, own_link=own_link, base=base)[0]


def _join(
    service: Service,
    patient: Patient,
    *,
    actor: User | None,
    ctx: AuditContext | None,
    now: datetime | None,
    own_link: bool,
    base: str,
) -> tuple[WaitlistEntry, bool]:
    """`join_waitlist`, and whether this call made the place (False: it was already there).
    `own_link` gives a new place its own link, emailed to the patient (see `_email_place`)."""
    if patient.clinic_id != service.clinic_id:
        raise BookingError("patient", "That patient belongs to another clinic.", "wrong_clinic")
    if not service.active:
        raise BookingError("service", "This service is not offered.", "unknown_service")
    with transaction.atomic():
        existing = WaitlistEntry.objects.filter(service=service, patient=patient, status__in=OPEN)
        if (found := existing.first()) is not None:
            return found, False
        salt = new_salt() if own_link else None
        try:
            with transaction.atomic():
                entry = WaitlistEntry.objects.create(
                    clinic_id=service.clinic_id,
                    service=service,
                    patient=patient,
                    joined_at=now_or(now),
                    joined_by=actor,
                    manage_salt=salt,
                    manage_token_hash=token_hash(place_token_for_salt(salt)) if salt else None,
                )
        except IntegrityError:  # a double submit that queued behind its twin
            return existing.get(), False
        record(
            WAITLIST_JOINED,
            ctx=ctx,
            actor=actor,
            clinic=service.clinic,
            patient_id=patient.pk,
            obj=entry,
            details={"service": service.slug, "by": "staff" if actor else "patient"},
        )
        if own_link:
            _email_place(entry, base)
        return entry, True


def join_waitlist_online(
    service: Service,
    details: Any,
    *,
    ctx: AuditContext | None,
    base: str = "",
    now: datetime | None = None,
) -> tuple[WaitlistEntry, bool]:
    """Someone on the booking page or the API found no time that fits and asks to wait.

    The patient is found by email and date of birth, or created, as a booking does. A new place
    gets its own link (they may hold no booking whose manage link would show it), emailed to
    them: it shows the place and leaves it. Returns the place and whether this call made it.
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
        return _join(service, patient, actor=None, ctx=ctx, now=now, own_link=True, base=base)


def join_from_booking(
    appointment: Appointment, *, ctx: AuditContext | None, now: datetime | None = None
) -> WaitlistEntry:
    """The patient on their booking's manage page asks to hear of an earlier time of its
    service. The manage link proved who they are; the public join's rules apply (the service
    is booked online). Accepting an offer later moves this booking (`waitlist_accept`)."""
    service = appointment.service
    if not (service.online_bookable and service.active):
        raise BookingError(
            "service", gettext("This service cannot be booked online."), "unknown_service"
        )
    if appointment.status != Status.BOOKED or appointment.start <= now_or(now):
        raise NotAllowed(gettext("Only a booked appointment can be changed."))
    return join_waitlist(service, appointment.patient, actor=None, ctx=ctx, now=now)


def _email_place(entry: WaitlistEntry, base: str) -> None:
    """The place's own link: no service, no clinical details."""
    if not entry.patient.email:
        return
    # In the patient's language, the link too: it opens the page in that language.
    with translation.override(entry.patient.language or "en"):
        url = place_url(entry, base)
    context = {"first_name": entry.patient.first_name, "clinic": entry.clinic, "url": url}
    subject = gettext_lazy("You are on the waitlist at %(clinic)s")
    _email_entry(entry, "waitlist.joined", subject, context, dedupe=f"{entry.pk}")


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
    # Someone who already holds this time or an earlier one of the service waits for an
    # earlier time than theirs: this one is no use to them (accepting it moves their booking).
    holds_earlier = Appointment.objects.filter(
        patient=OuterRef("patient"), service=service, status=Status.BOOKED, start__lte=start
    )
    entry = (
        WaitlistEntry.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(~Exists(holds_earlier), service=service, status=WaitStatus.WAITING)
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
        WAITLIST_OFFERED,
        ctx=ctx,
        clinic=entry.clinic,
        patient_id=entry.patient_id,
        obj=entry,
        details={"service": service.slug, "hours": OFFER_HOURS},
    )
    return entry


def booking_to_replace(entry: WaitlistEntry, start: datetime) -> Appointment | None:
    """The patient's next booking of the entry's service after `start`, which an accepted
    offer of `start` replaces; None when they hold none."""
    return (
        Appointment.objects.filter(
            patient_id=entry.patient_id,
            service_id=entry.service_id,
            status=Status.BOOKED,
            start__gt=start,
        )
        .order_by("start", "id")
        .first()
    )


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
        # Said without the time: booking the offer moves the booking they hold (see accept).
        "moves_booking": booking_to_replace(entry, entry.offer_start) is not None
        if entry.offer_start
        else False,
    }
    subject = gettext_lazy("A time has opened up at %(clinic)s")
    _email_entry(
        entry, "waitlist.offer", subject, context, dedupe=f"{entry.pk}:{entry.offers_made}"
    )


def _email_entry(
    entry: WaitlistEntry, kind: str, subject: Any, context: dict[str, Any], *, dedupe: str
) -> None:
    """Queue one waitlist email (template `scheduling/email/<kind's last part>.txt`) in the
    patient's language, as every email they get (issue 18)."""
    with translation.override(entry.patient.language or "en"):
        text = str(subject) % {"clinic": entry.clinic.name}
        body = render_to_string(f"scheduling/email/{kind.replace('.', '_')}.txt", context)
    queue_email(
        kind=kind,
        to=entry.patient.email,
        subject=text[:200],
        body_text=body,
        clinic=entry.clinic,
        patient_id=entry.patient_id,
        dedupe_key=f"{kind}:{dedupe}",
    )


def find_offer(token: str) -> WaitlistEntry | None:
    if not looks_like_token(token):
        return None
    return (
        WaitlistEntry.objects.filter(offer_token_hash=token_hash(token))
        .select_related("service__location", "clinic", "patient")
        .first()
    )


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
            WAITLIST_LAPSED,
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
            WAITLIST_REMOVED,
            ctx=ctx,
            actor=actor,
            clinic=current.clinic,
            patient_id=current.patient_id,
            obj=current,
            details={"by": "staff" if actor else "patient"},
        )
        return current
