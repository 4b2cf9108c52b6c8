"""Every write to an appointment: one transaction, one audit event, emails queued with it.

No double booking, whichever way a booking arrives:

* the slot is re-checked inside the booking transaction (`_pick`), against the pure core;
* on SQLite that transaction is `BEGIN IMMEDIATE`, so bookings are serialized and the re-check
  is the guarantee;
* on PostgreSQL the transaction first takes an advisory lock on every resource the booking
  could take, always in id order (`_lock_resources`), so bookings that could collide queue up
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

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from annulus.audit.record import record
from annulus.lib.tokens import token_hash
from annulus.patients.history import snapshot
from annulus.patients.models import ChangeRecord, Patient
from annulus.scheduling import notify, reminders
from annulus.scheduling.availability import (
    busy_between,
    candidates,
    lead_slugs,
    plan_for,
    slot_at,
)
from annulus.scheduling.links import manage_token_for_salt, new_salt
from annulus.scheduling.models import (
    Appointment,
    Mode,
    Occupancy,
    Service,
    Source,
    Status,
)
from annulus.scheduling.slots import overlaps

__all__ = [
    "BookingError",
    "NotAllowed",
    "PatientDetails",
    "SlotTaken",
    "book_appointment",
    "cancel",
    "mark_arrived",
    "mark_no_show",
    "reschedule",
    "staff_cancel",
    "staff_create",
    "staff_move",
]

_EXCLUSION_VIOLATION = "23P01"
# Two-key advisory locks (namespace, resource id): a key space apart from the audit chain's lock.
_RESOURCE_LOCK_NAMESPACE = 0x5343


class BookingError(Exception):
    """Input that can never be booked. `field` names what to fix (a 422, or a form message)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class SlotTaken(Exception):
    """The time was a free slot a moment ago and is not any more (a 409)."""


class NotAllowed(Exception):
    """The appointment's state does not allow this (cancelled, already started, …)."""


@dataclass(frozen=True)
class PatientDetails:
    first_name: str
    last_name: str
    email: str
    phone: str
    date_of_birth: date


# --- checks ---------------------------------------------------------------------------------


def _hours(minutes: int) -> str:
    if minutes % 60:
        return f"{minutes} minutes'"
    hours = minutes // 60
    return "one hour's" if hours == 1 else f"{hours} hours'"


def check_start(service: Service, start: datetime, *, now: datetime, staff: bool = False) -> None:
    """Refuse a start that no slot of this service could have, with a message for people."""
    if start.utcoffset() is None:
        raise BookingError(
            "start", "Give the time with its UTC offset, e.g. 2027-03-15T09:00-05:00."
        )
    if start < now:
        raise BookingError("start", "That time has already passed.")
    if staff:
        if start > now + timedelta(days=730):
            raise BookingError("start", "That is more than two years ahead.")
        return
    if start < now + timedelta(minutes=service.min_notice_minutes):
        raise BookingError(
            "start",
            f"Online bookings need at least {_hours(service.min_notice_minutes)} notice. "
            "Choose a later time, or call the clinic.",
        )
    if start > now + timedelta(days=service.max_advance_days):
        raise BookingError(
            "start",
            f"Bookings open {service.max_advance_days} days ahead. Choose an earlier date.",
        )


def check_mode(service: Service, mode: str | None) -> str:
    modes = service.modes()
    if mode in (None, ""):
        return modes[0]
    if mode not in modes:
        offered = " or ".join(Mode(m).label.lower() for m in modes)
        raise BookingError("mode", f"This service is offered {offered} only.")
    return str(mode)


def check_lead(service: Service, resource: str | None) -> None:
    if resource in (None, ""):
        return
    if resource not in lead_slugs(service):
        raise BookingError("resource", f"No resource {resource!r} offers this service.")


def _pick(
    service: Service,
    start: datetime,
    *,
    lead: str | None,
    now: datetime,
    staff: bool,
    outside_hours: bool = False,
    exclude: int | None = None,
) -> tuple[datetime, tuple[str, ...]]:
    """The slot's end and its resources, re-checked inside the caller's transaction."""
    if outside_hours:
        return _pick_any_hours(service, start, lead=lead, exclude=exclude)
    slot = slot_at(service, start, now=now, lead=lead, staff=staff, exclude_appointment=exclude)
    if slot is not None:
        return slot.end, slot.resources
    if slot_at(service, start, now=now, lead=lead, staff=staff, ignore_bookings=True) is None:
        raise BookingError(
            "start",
            "That time is not one of the times offered for this service. Choose one of the "
            "times listed.",
        )
    raise SlotTaken


def _pick_any_hours(
    service: Service, start: datetime, *, lead: str | None, exclude: int | None
) -> tuple[datetime, tuple[str, ...]]:
    """Staff may book outside opening hours; the resources must still be free."""
    day = start.astimezone(service.location.zone).date()
    plan = plan_for(service, first_day=day, last_day=day)
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
        raise BookingError("service", "This service has no resources set up.")
    return end, tuple(chosen)


def _lock_resources(service: Service, lead: str | None) -> None:
    """Queue behind any booking that could take a resource this one could take (PostgreSQL).

    The resources are the leading role's candidates (only `lead` when one is asked for) and
    every candidate of the other roles. Every caller locks in ascending resource id, so two
    bookings never wait for each other in a cycle; the locks end with the transaction. SQLite
    needs none: its writers are serialized.
    """
    if connection.vendor != "postgresql":
        return
    ids = sorted(
        {c.resource_id for c in candidates(service) if c.position > 0 or lead in (None, "", c.slug)}
    )
    with connection.cursor() as cursor:
        for resource_id in ids:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)",
                [_RESOURCE_LOCK_NAMESPACE, resource_id & 0x7FFFFFFF],
            )


def _hold(appointment: Appointment, resources: tuple[str, ...]) -> None:
    """Write one occupancy per resource; an overlap refused by PostgreSQL becomes SlotTaken."""
    service = appointment.service
    id_of = {c.slug: c.resource_id for c in candidates(service)}
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


def _patient_for(
    service: Service, details: PatientDetails, *, veteran: bool | None
) -> tuple[Patient, bool]:
    """The clinic's patient with this email and date of birth, else a new one."""
    email = details.email.strip().lower()
    patient = (
        Patient.objects.filter(
            clinic_id=service.clinic_id, email__iexact=email, date_of_birth=details.date_of_birth
        )
        .order_by("id")
        .first()
    )
    if patient is not None:
        if details.phone and not patient.phone:
            patient.phone = details.phone
            patient.save(update_fields=["phone", "updated_at"])
        return patient, False
    patient = Patient.objects.create(
        clinic_id=service.clinic_id,
        first_name=details.first_name,
        last_name=details.last_name,
        email=email,
        phone=details.phone,
        date_of_birth=details.date_of_birth,
        veteran=veteran,
    )
    fields = snapshot(patient)
    ChangeRecord.objects.create(
        patient=patient,
        record_type="Patient",
        record_id=str(patient.pk),
        action="create",
        changes={k: [None, v] for k, v in fields.items() if v not in (None, "")},
        via_patient_link=True,
    )
    return patient, True


def _new_appointment(
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


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _reload(pk: int) -> Appointment:
    return Appointment.objects.select_related("service", "location", "clinic", "patient").get(pk=pk)


# --- patients (booking pages and API) -------------------------------------------------------


def book_appointment(
    request: HttpRequest | None,
    *,
    service: Service,
    start: datetime,
    details: PatientDetails,
    resource: str | None = None,
    mode: str | None = None,
    source: str = Source.ONLINE,
    form_token: str | None = None,
    screening: dict[str, Any] | None = None,
    base: str = "",
    now: datetime | None = None,
) -> Appointment:
    """Book a free slot for someone booking themselves, on the booking page or the API.

    The patient is found in the service's clinic by email and date of birth, or created. The
    start must be a slot of the service (with `resource` leading, when given) and still free.
    Raises `BookingError` for input no slot could satisfy (nothing is stored) and `SlotTaken`
    when the slot was just taken. A `form_token` that already booked returns that booking, so a
    double-clicked confirm button books once. `screening` carries what the self-check passed on
    with the person's consent, ``{"screening_id": 12, "veteran": True}``: the visit is linked to
    the self-check, and a new patient's veteran status is taken from it.
    Queues the confirmation (with its .ics), the staff notice and the reminders.
    """
    now = _now(now)
    if not (service.online_bookable and service.active):
        raise BookingError("service", "This service cannot be booked online.")
    check_start(service, start, now=now)
    chosen_mode = check_mode(service, mode)
    check_lead(service, resource)
    try:
        with transaction.atomic():
            if form_token:
                existing = Appointment.objects.filter(form_token=form_token).first()
                if existing is not None:
                    return _reload(existing.pk)
            _lock_resources(service, resource)
            if form_token and Appointment.objects.filter(form_token=form_token).exists():
                # A double click that queued behind its twin: the twin booked.
                return _reload(Appointment.objects.get(form_token=form_token).pk)
            end, resources = _pick(service, start, lead=resource, now=now, staff=False)
            veteran = (screening or {}).get("veteran")
            patient, created = _patient_for(service, details, veteran=veteran)
            appointment = _new_appointment(
                service,
                patient=patient,
                start=start,
                end=end,
                mode=chosen_mode,
                source=source,
                form_token=form_token,
                screening_id=(screening or {}).get("screening_id"),
            )
            _hold(appointment, resources)
            # Everything the emails read is at hand: no need to read the row back.
            appointment.service, appointment.patient = service, patient
            appointment.location, appointment.clinic = service.location, service.clinic
            notify.to_patient(appointment, "confirmation", base)
            notify.to_staff_new_booking(appointment, base)
            reminders.schedule(appointment, base, now=now)
            record(
                "appointment.booked",
                request=request,
                clinic=appointment.clinic,
                patient_id=patient.pk,
                obj=appointment,
                details={
                    "service": service.slug,
                    "source": source,
                    "resources": list(resources),
                    "patient_created": created,
                    "screening_carried_over": appointment.screening_id is not None,
                },
            )
            return appointment
    except (IntegrityError, SlotTaken):
        # A concurrent double click: the other request booked with this form first.
        if form_token:
            existing = Appointment.objects.filter(form_token=form_token).first()
            if existing is not None:
                return _reload(existing.pk)
        raise


def _movable(appointment: Appointment, now: datetime) -> None:
    if appointment.status != Status.BOOKED:
        raise NotAllowed("Only a booked appointment can be changed.")
    if appointment.start <= now:
        raise NotAllowed("This appointment has already started.")


def _move(
    request: HttpRequest | None,
    appointment: Appointment,
    start: datetime,
    *,
    lead: str | None,
    staff: bool,
    outside_hours: bool,
    base: str,
    now: datetime,
    action: str,
) -> Appointment:
    service = appointment.service
    check_start(service, start, now=now, staff=staff)
    check_lead(service, lead)
    with transaction.atomic():
        current = Appointment.objects.select_for_update().get(pk=appointment.pk)
        _movable(current, now)
        _lock_resources(service, lead)
        before = current.start
        end, resources = _pick(
            service,
            start,
            lead=lead,
            now=now,
            staff=staff,
            outside_hours=outside_hours,
            exclude=current.pk,
        )
        Occupancy.objects.filter(appointment=current).delete()
        current.start, current.end = start, end
        current.sequence += 1
        current.save(update_fields=["start", "end", "sequence", "updated_at"])
        _hold(current, resources)
        current = _reload(current.pk)
        reminders.drop(current)
        reminders.schedule(current, base, now=now)
        notify.to_patient(current, "rescheduled", base)
        record(
            action,
            request=request,
            clinic=current.clinic,
            patient_id=current.patient_id,
            obj=current,
            details={
                "from": before.isoformat(),
                "to": start.isoformat(),
                "resources": list(resources),
                "outside_hours": outside_hours,
            },
        )
        return current


def reschedule(
    request: HttpRequest | None,
    appointment: Appointment,
    start: datetime,
    *,
    resource: str | None = None,
    base: str = "",
    now: datetime | None = None,
) -> Appointment:
    """The patient moves their booking (manage link) to another free slot of the same service.

    The appointment keeps its id and manage link; the reminders are recomputed and the patient
    gets the new time with an updated .ics (same UID, higher SEQUENCE).
    """
    return _move(
        request,
        appointment,
        start,
        lead=resource,
        staff=False,
        outside_hours=False,
        base=base,
        now=_now(now),
        action="appointment.rescheduled",
    )


def _cancel(
    request: HttpRequest | None,
    appointment: Appointment,
    *,
    by_patient: bool,
    base: str,
    now: datetime,
    reason: str = "",
) -> Appointment:
    with transaction.atomic():
        current = Appointment.objects.select_for_update().get(pk=appointment.pk)
        _movable(current, now)
        current.status = Status.CANCELLED
        current.cancelled_at = now
        current.cancelled_by_patient = by_patient
        current.sequence += 1
        current.save(
            update_fields=[
                "status",
                "cancelled_at",
                "cancelled_by_patient",
                "sequence",
                "updated_at",
            ]
        )
        # Frees the time at once: the exclusion constraint ignores inactive rows.
        Occupancy.objects.filter(appointment=current).update(active=False)
        current = _reload(current.pk)
        reminders.drop(current)
        notify.to_patient(current, "cancelled", base)
        record(
            "appointment.cancelled",
            request=request,
            clinic=current.clinic,
            patient_id=current.patient_id,
            obj=current,
            details={"by": "patient" if by_patient else "staff", "reason": reason[:40]},
        )
        return current


def cancel(
    request: HttpRequest | None,
    appointment: Appointment,
    *,
    base: str = "",
    now: datetime | None = None,
) -> Appointment:
    """The patient cancels through their manage link. Frees the time and drops the reminders."""
    return _cancel(request, appointment, by_patient=True, base=base, now=_now(now))


# --- staff ----------------------------------------------------------------------------------


def staff_create(
    request: HttpRequest,
    *,
    service: Service,
    patient: Patient,
    start: datetime,
    resource: str | None = None,
    mode: str | None = None,
    outside_hours: bool = False,
    base: str = "",
    now: datetime | None = None,
) -> Appointment:
    """A member of staff books for an existing patient: any service, at any notice.

    Inside opening hours unless `outside_hours`; the resources must be free either way.
    """
    now = _now(now)
    if patient.clinic_id != service.clinic_id:
        raise BookingError("patient", "That patient belongs to another clinic.")
    check_start(service, start, now=now, staff=True)
    chosen_mode = check_mode(service, mode)
    check_lead(service, resource)
    with transaction.atomic():
        _lock_resources(service, resource)
        end, resources = _pick(
            service, start, lead=resource, now=now, staff=True, outside_hours=outside_hours
        )
        appointment = _new_appointment(
            service,
            patient=patient,
            start=start,
            end=end,
            mode=chosen_mode,
            source=Source.STAFF,
            created_by=request.user if request.user.is_authenticated else None,
        )
        _hold(appointment, resources)
        appointment = _reload(appointment.pk)
        notify.to_patient(appointment, "confirmation", base)
        reminders.schedule(appointment, base, now=now)
        record(
            "appointment.created",
            request=request,
            clinic=appointment.clinic,
            patient_id=patient.pk,
            obj=appointment,
            details={
                "service": service.slug,
                "resources": list(resources),
                "outside_hours": outside_hours,
            },
        )
        return appointment


def staff_move(
    request: HttpRequest,
    appointment: Appointment,
    start: datetime,
    *,
    resource: str | None = None,
    outside_hours: bool = False,
    base: str = "",
    now: datetime | None = None,
) -> Appointment:
    """A member of staff moves a booked appointment; the patient is told, reminders follow."""
    return _move(
        request,
        appointment,
        start,
        lead=resource,
        staff=True,
        outside_hours=outside_hours,
        base=base,
        now=_now(now),
        action="appointment.moved",
    )


def staff_cancel(
    request: HttpRequest,
    appointment: Appointment,
    *,
    reason: str = "",
    base: str = "",
    now: datetime | None = None,
) -> Appointment:
    """A member of staff cancels; the patient is told and the time is free again."""
    return _cancel(request, appointment, by_patient=False, base=base, now=_now(now), reason=reason)


def _mark(
    request: HttpRequest, appointment: Appointment, status: str, *, now: datetime
) -> Appointment:
    with transaction.atomic():
        # Compare-and-swap: only a booked appointment changes, and only once.
        changes: dict[str, Any] = {"status": status, "updated_at": now}
        if status == Status.ARRIVED:
            changes["arrived_at"] = now
        updated = Appointment.objects.filter(pk=appointment.pk, status=Status.BOOKED).update(
            **changes
        )
        if not updated:
            raise NotAllowed("Only a booked appointment can be marked.")
        current = _reload(appointment.pk)
        reminders.drop(current)
        record(
            f"appointment.{status}",
            request=request,
            clinic=current.clinic,
            patient_id=current.patient_id,
            obj=current,
        )
        return current


def mark_arrived(
    request: HttpRequest, appointment: Appointment, *, now: datetime | None = None
) -> Appointment:
    """The patient is here. Allowed from the start of the appointment's local day."""
    now = _now(now)
    zone = appointment.location.zone
    if appointment.start.astimezone(zone).date() > now.astimezone(zone).date():
        raise NotAllowed("A patient can be marked as arrived on the day of the appointment.")
    return _mark(request, appointment, Status.ARRIVED, now=now)


def mark_no_show(
    request: HttpRequest, appointment: Appointment, *, now: datetime | None = None
) -> Appointment:
    """The patient did not come. Allowed once the appointment has started."""
    now = _now(now)
    if appointment.start > now:
        raise NotAllowed("A no-show can be recorded once the appointment has started.")
    return _mark(request, appointment, Status.NO_SHOW, now=now)
