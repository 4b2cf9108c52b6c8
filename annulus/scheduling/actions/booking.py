"""Booking by patients themselves, on the booking pages and through the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from annulus.audit.actions import APPOINTMENT_BOOKED
from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.patients.actions import create_patient, update_patient
from annulus.patients.models import Patient
from annulus.scheduling import notify, reminders
from annulus.scheduling.actions.common import (
    BookingError,
    PatientDetails,
    SlotTaken,
    check_lead,
    check_mode,
    check_start,
    clinician_of,
    close_no_shows,
    hold,
    lock_resources,
    new_appointment,
    now_or,
    pick,
    reload,
)
from annulus.scheduling.availability import candidates
from annulus.scheduling.models import Appointment, Service, Source

__all__ = ["book_appointment", "patient_for"]


def patient_for(
    service: Service,
    details: PatientDetails,
    *,
    veteran: bool | None,
    clinician_id: int | None,
    ctx: AuditContext,
) -> tuple[Patient, bool]:
    """The clinic's patient with this email and date of birth, else a new one.

    Both go through the patient record's actions, so each leaves its change record and its
    audit event (entered by the patient: `via_patient_link`). A phone number given now fills
    an empty one, and the booked clinician an empty clinician (a patient who has one keeps
    them); nothing else about a known patient changes. One update for all. A language given is
    the one they booked in, so their emails follow it.
    """
    email = details.email.strip().lower()
    patient = (
        Patient.objects.filter(
            clinic_id=service.clinic_id, email__iexact=email, date_of_birth=details.date_of_birth
        )
        .order_by("id")
        .first()
    )
    if patient is not None:
        changes: dict[str, Any] = {}
        if details.phone and not patient.phone:
            changes["phone"] = details.phone
        if clinician_id is not None and patient.clinician_id is None:
            changes["clinician_id"] = clinician_id
        if details.language and details.language != patient.language:
            changes["language"] = details.language
        if changes:
            locked = Patient.objects.select_for_update().get(pk=patient.pk)
            patient = update_patient(locked, actor=None, ctx=ctx, via_patient_link=True, **changes)
        return patient, False
    patient = create_patient(
        service.clinic,
        actor=None,
        ctx=ctx,
        via_patient_link=True,
        first_name=details.first_name,
        last_name=details.last_name,
        email=email,
        phone=details.phone,
        date_of_birth=details.date_of_birth,
        veteran=veteran,
        language=details.language or "en",
        clinician_id=clinician_id,
    )
    return patient, True


def book_appointment(
    ctx: AuditContext | None,
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
    The booked clinician becomes the patient's clinician when they have none (a patient who
    has one keeps them: one visit with a colleague does not hand over responsibility).
    Queues the confirmation (with its .ics), the staff notice and the reminders.
    """
    now = now_or(now)
    audit_ctx = ctx or AuditContext()
    if not (service.online_bookable and service.active):
        raise BookingError(
            "service", gettext("This service cannot be booked online."), "unknown_service"
        )
    check_start(service, start, now=now)
    chosen_mode = check_mode(service, mode)
    roles = candidates(service)
    check_lead(service, resource, roles=roles)
    try:
        with transaction.atomic():
            if form_token:
                existing = Appointment.objects.filter(form_token=form_token).first()
                if existing is not None:
                    return reload(existing.pk)
            lock_resources(service, resource, roles=roles)
            if form_token and Appointment.objects.filter(form_token=form_token).exists():
                # A double click that queued behind its twin: the twin booked.
                return reload(Appointment.objects.get(form_token=form_token).pk)
            end, resources = pick(service, start, lead=resource, now=now, staff=False, roles=roles)
            veteran = (screening or {}).get("veteran")
            clinician_id = clinician_of(service, resources)
            patient, created = patient_for(
                service, details, veteran=veteran, clinician_id=clinician_id, ctx=audit_ctx
            )
            appointment = new_appointment(
                service,
                patient=patient,
                start=start,
                end=end,
                mode=chosen_mode,
                source=source,
                form_token=form_token,
                screening_id=(screening or {}).get("screening_id"),
            )
            hold(appointment, resources, roles=roles)
            rebooked = close_no_shows(patient, now=now)
            # Everything the emails read is at hand: no need to read the row back.
            appointment.service, appointment.patient = service, patient
            appointment.location, appointment.clinic = service.location, service.clinic
            notify.to_patient(appointment, "confirmation", base)
            notify.to_staff_new_booking(appointment, base)
            reminders.schedule(appointment, base, now=now)
            record(
                APPOINTMENT_BOOKED,
                ctx=audit_ctx,
                clinic=appointment.clinic,
                patient_id=patient.pk,
                obj=appointment,
                details={
                    "service": service.slug,
                    "source": source,
                    "resources": list(resources),
                    "patient_created": created,
                    "no_shows_rebooked": rebooked,
                    "with_own_clinician": clinician_id is not None
                    and patient.clinician_id == clinician_id,
                    "screening_carried_over": appointment.screening_id is not None,
                },
            )
            return appointment
    except (IntegrityError, SlotTaken):
        # A concurrent double click: the other request booked with this form first.
        if form_token:
            existing = Appointment.objects.filter(form_token=form_token).first()
            if existing is not None:
                return reload(existing.pk)
        raise
