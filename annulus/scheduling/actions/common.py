"""What every appointment action shares: errors, input checks, the slot re-check, locks, holds.

No double booking, whichever way a booking arrives:

* the slot is re-checked inside the booking transaction (`pick`), against the pure core;
* on SQLite that transaction is `BEGIN IMMEDIATE`, so bookings are serialized and the re-check
  is the guarantee;
* on PostgreSQL the transaction first takes an advisory lock on every resource the booking
  could take, always in id order (`lock_resources`), so bookings that could collide queue up
  and each re-check sees the bookings committed before it (bookings for different clinicians
  do not wait for each other); the exclusion constraint on `Occupancy` is the guarantee
  for every other code path (a refused insert becomes `SlotTaken`, HTTP 409). The locks exist
  because PostgreSQL checks an exclusion constraint after inserting the row: two transactions
  inserting conflicting multi-resource bookings at once can each wait for the other, and one
  of them dies as a deadlock victim instead of getting a clean 409.

Audit details hold ids and codes only; the audit event is written last in each transaction,
because on PostgreSQL it takes the chain lock until commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from annulus.audit.context import AuditContext
from annulus.lib.tokens import token_hash
from annulus.patients.actions import update_patient
from annulus.patients.models import Patient
from annulus.scheduling.availability import (
    Candidate,
    busy_between,
    candidates,
    check_slot,
    lead_slugs,
    plan_for,
)
from annulus.scheduling.links import manage_token_for_salt, new_salt
from annulus.scheduling.models import (
    Appointment,
    Mode,
    Occupancy,
    Resource,
    ResourceKind,
    Service,
)
from annulus.scheduling.refusals import not_offered
from annulus.scheduling.slots import overlaps

_EXCLUSION_VIOLATION = "23P01"
# Two-key advisory locks (namespace, resource id): a key space apart from the audit chain's lock.
_RESOURCE_LOCK_NAMESPACE = 0x5343


class BookingError(Exception):
    """Input that can never be booked. `field` names what to fix (a 422, or a form message);
    `code` says why, one of `refusals.CODES`."""

    def __init__(self, field: str, message: str, code: str = "invalid") -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.code = code


class SlotTaken(Exception):
    """The time was a free slot a moment ago and is not any more (a 409)."""

    code = "slot_taken"

    @property
    def message(self) -> str:
        # Read when shown, so a Spanish page gets Spanish (the API and staff pages: English).
        return gettext("Someone else has just booked this time. Choose another time.")


class NotAllowed(Exception):
    """The appointment's state does not allow this (cancelled, already started, …)."""


@dataclass(frozen=True)
class PatientDetails:
    first_name: str
    last_name: str
    email: str
    phone: str
    date_of_birth: date
    # The language of the form they used ("" when unknown, e.g. the API): their emails follow it.
    language: str = ""


# --- checks ---------------------------------------------------------------------------------


def _notice(minutes: int) -> str:
    """The sentence for too little notice, in the active language (issue #18)."""
    if minutes % 60:
        return gettext(
            "Online bookings need at least %(minutes)s minutes' notice. "
            "Choose a later time, or call the clinic."
        ) % {"minutes": minutes}
    hours = minutes // 60
    return ngettext(
        "Online bookings need at least one hour's notice. Choose a later time, or call the clinic.",
        "Online bookings need at least %(hours)s hours' notice. "
        "Choose a later time, or call the clinic.",
        hours,
    ) % {"hours": hours}


def check_start(service: Service, start: datetime, *, now: datetime, staff: bool = False) -> None:
    """Refuse a start that no slot of this service could have, with a message for people."""
    if start.utcoffset() is None:
        raise BookingError(
            "start",
            gettext("Give the time with its UTC offset, e.g. 2027-03-15T09:00-05:00."),
            "no_offset",
        )
    if start < now:
        raise BookingError("start", gettext("That time has already passed."), "past")
    if staff:
        if start > now + timedelta(days=730):
            raise BookingError("start", gettext("That is more than two years ahead."), "too_far")
        return
    if start < now + timedelta(minutes=service.min_notice_minutes):
        raise BookingError("start", _notice(service.min_notice_minutes), "too_soon")
    if start > now + timedelta(days=service.max_advance_days):
        raise BookingError(
            "start",
            gettext("Bookings open %(days)s days ahead. Choose an earlier date.")
            % {"days": service.max_advance_days},
            "too_far",
        )


def check_mode(service: Service, mode: str | None) -> str:
    modes = service.modes()
    if mode in (None, ""):
        return modes[0]
    if mode not in modes:
        labels = [str(Mode(m).label).lower() for m in modes]
        offered = labels[0]
        if len(labels) > 1:
            offered = gettext("%(first)s or %(last)s") % {
                "first": ", ".join(labels[:-1]),
                "last": labels[-1],
            }
        raise BookingError(
            "mode",
            gettext("This service is offered %(modes)s only.") % {"modes": offered},
            "bad_mode",
        )
    return str(mode)


def check_lead(
    service: Service, resource: str | None, *, roles: Sequence[Candidate] | None = None
) -> None:
    if resource in (None, ""):
        return
    if resource not in lead_slugs(service, roles=roles):
        raise BookingError(
            "resource",
            gettext("Unknown clinician: no clinician or resource %(name)s offers this service.")
            % {"name": repr(resource)},
            "unknown_clinician",
        )


def pick(
    service: Service,
    start: datetime,
    *,
    lead: str | None,
    now: datetime,
    staff: bool,
    outside_hours: bool = False,
    exclude: int | None = None,
    roles: Sequence[Candidate] | None = None,
) -> tuple[datetime, tuple[str, ...]]:
    """The slot's end and its resources, re-checked inside the caller's transaction.

    One computation of the day's slots answers both questions: is the time free, and if not,
    was it a slot time at all (a `BookingError`) or just taken (`SlotTaken`)?
    """
    if outside_hours:
        return _pick_any_hours(service, start, lead=lead, exclude=exclude, roles=roles)
    found = check_slot(
        service, start, now=now, lead=lead, staff=staff, exclude_appointment=exclude, roles=roles
    )
    if found.slot is not None:
        return found.slot.end, found.slot.resources
    if not found.offered:
        code, message = not_offered(service, start, lead=lead, roles=roles, staff=staff)
        raise BookingError("start", message, code)
    raise SlotTaken


def refusal(
    service: Service,
    start: datetime,
    *,
    lead: str | None,
    now: datetime,
    exclude: int | None = None,
) -> BookingError | SlotTaken | None:
    """What booking `start` online would answer, without booking: None when it would book.

    The details and change pages ask before showing their form, so a refused time shows its
    real reason; `exclude` is the appointment being moved.
    """
    try:
        check_start(service, start, now=now)
        roles = candidates(service)
        check_lead(service, lead, roles=roles)
        pick(service, start, lead=lead, now=now, staff=False, exclude=exclude, roles=roles)
    except (BookingError, SlotTaken) as exc:
        return exc
    return None


def _pick_any_hours(
    service: Service,
    start: datetime,
    *,
    lead: str | None,
    exclude: int | None,
    roles: Sequence[Candidate] | None,
) -> tuple[datetime, tuple[str, ...]]:
    """Staff may book outside opening hours; the resources must still be free."""
    day = start.astimezone(service.location.zone).date()
    plan = plan_for(service, first_day=day, last_day=day, roles=roles)
    end = start + service.duration
    span = (start - service.buffer_before, end + service.buffer_after)
    busy = busy_between(plan.resources, *span, exclude_appointment=exclude)
    chosen: list[str] = []
    for position, role in enumerate(plan.needs):
        options = [lead] if position == 0 and lead else list(role)
        free = [
            r
            for r in options
            if r not in chosen
            and not any(b.resource == r and overlaps(b.start, b.end, *span) for b in busy)
        ]
        if not free:
            raise SlotTaken
        chosen.append(free[0])
    if not chosen:
        raise BookingError("service", "This service has no resources set up.", "no_resources")
    return end, tuple(chosen)


def lock_resources(
    service: Service, lead: str | None, *, roles: Sequence[Candidate] | None = None
) -> None:
    """Queue behind any booking that could take a resource this one could take (PostgreSQL).

    The resources are the leading role's candidates (only `lead` when one is asked for) and
    every candidate of the other roles. Every caller locks in ascending resource id, so two
    bookings never wait for each other in a cycle; the locks end with the transaction. SQLite
    needs none: its writers are serialized.
    """
    if connection.vendor != "postgresql":
        return
    every = candidates(service) if roles is None else roles
    ids = sorted({c.resource_id for c in every if c.position > 0 or lead in (None, "", c.slug)})
    with connection.cursor() as cursor:
        for resource_id in ids:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)",
                [_RESOURCE_LOCK_NAMESPACE, resource_id & 0x7FFFFFFF],
            )


def hold(
    appointment: Appointment,
    resources: tuple[str, ...],
    *,
    roles: Sequence[Candidate] | None = None,
) -> None:
    """Write one occupancy per resource; an overlap refused by PostgreSQL becomes SlotTaken."""
    service = appointment.service
    id_of = {c.slug: c.resource_id for c in (candidates(service) if roles is None else roles)}
    rows = [
        Occupancy(
            appointment=appointment,
            resource_id=id_of[slug],
            role_position=position,
            start=appointment.start - service.buffer_before,
            end=appointment.end + service.buffer_after,
        )
        for position, slug in enumerate(resources)
    ]
    try:
        with transaction.atomic():  # a savepoint: a refused insert leaves the caller's usable
            Occupancy.objects.bulk_create(rows)
    except IntegrityError as exc:
        if getattr(exc.__cause__, "sqlstate", None) == _EXCLUSION_VIOLATION:
            raise SlotTaken from exc
        raise


def new_appointment(
    service: Service,
    *,
    patient: Patient,
    start: datetime,
    end: datetime,
    mode: str,
    source: str,
    created_by: Any = None,
    form_token: str | None = None,
    screening_id: int | None = None,
) -> Appointment:
    salt = new_salt()
    appointment = Appointment.objects.create(
        clinic_id=service.clinic_id,
        location_id=service.location_id,
        service=service,
        patient=patient,
        start=start,
        end=end,
        mode=mode,
        source=source,
        manage_salt=salt,
        manage_token_hash=token_hash(manage_token_for_salt(salt)),
        form_token=form_token or None,
        screening_id=screening_id,
        created_by=created_by,
    )
    return appointment


def clinician_of(service: Service, resources: tuple[str, ...]) -> int | None:
    """The staff account of the booking's lead resource, when it is a clinician."""
    if not resources:
        return None
    user_id: int | None = (
        Resource.objects.filter(
            clinic_id=service.clinic_id, slug=resources[0], kind=ResourceKind.CLINICIAN
        )
        .values_list("user_id", flat=True)
        .first()
    )
    return user_id


def assign_clinician(
    patient: Patient,
    service: Service,
    resources: tuple[str, ...],
    *,
    actor: Any,
    ctx: AuditContext,
    via_patient_link: bool = False,
) -> bool:
    """Make the booked clinician the patient's clinician when the patient has none yet.

    The lead resource is the clinician when it is a clinician with a staff account. A patient
    who already has a clinician keeps them: being seen once by a colleague (cover, an earlier
    slot) does not hand over responsibility; staff change it on the record. Goes through the
    patient record's action (change record and audit event). True when it assigned one.
    """
    if patient.clinician_id is not None:
        return False
    user_id = clinician_of(service, resources)
    if user_id is None:
        return False
    # Read again under a lock: a colleague's edit of other details in the meantime survives.
    current = Patient.objects.select_for_update().get(pk=patient.pk)
    if current.clinician_id is not None:
        return False
    update_patient(
        current, actor=actor, ctx=ctx, via_patient_link=via_patient_link, clinician_id=user_id
    )
    patient.clinician_id = user_id
    return True


def close_no_shows(patient: Patient, *, now: datetime) -> int:
    """A new booking for a patient resolves their open no-show follow-ups ("rebooked")."""
    return Appointment.objects.filter(
        patient=patient, status="no_show", follow_up_closed_at__isnull=True
    ).update(follow_up_closed_at=now, follow_up_outcome="rebooked")


def now_or(now: datetime | None) -> datetime:
    return now or timezone.now()


def reload(pk: int) -> Appointment:
    return Appointment.objects.select_related("service", "location", "clinic", "patient").get(pk=pk)
