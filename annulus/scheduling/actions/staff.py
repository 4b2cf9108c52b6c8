"""What staff do from the calendar: book for a patient, move, cancel, arrived, no-show."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction

from annulus.audit.actions import (
    APPOINTMENT_CREATED,
    APPOINTMENT_FOLLOW_UP_DISMISSED,
    APPOINTMENT_MOVED,
)
from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.patients.models import Patient
from annulus.scheduling import notify, reminders
from annulus.scheduling.actions.changes import cancel_appointment, move
from annulus.scheduling.actions.common import (
    BookingError,
    NotAllowed,
    assign_clinician,
    check_lead,
    check_mode,
    check_start,
    close_no_shows,
    hold,
    lock_resources,
    new_appointment,
    now_or,
    pick,
    reload,
)
from annulus.scheduling.availability import candidates
from annulus.scheduling.models import Appointment, Service, Source, Status

if TYPE_CHECKING:
    from annulus.accounts.models import User

__all__ = [
    "dismiss_follow_up",
    "mark_arrived",
    "mark_no_show",
    "staff_cancel",
    "staff_create",
    "staff_move",
]


def staff_create(
    *,
    actor: User | None,
    ctx: AuditContext | None,
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

    Inside opening hours unless `outside_hours`; the resources must be free either way. The
    booked clinician becomes the patient's clinician when they have none.
    """
    now = now_or(now)
    if patient.clinic_id != service.clinic_id:
        raise BookingError("patient", "That patient belongs to another clinic.", "wrong_clinic")
    check_start(service, start, now=now, staff=True)
    chosen_mode = check_mode(service, mode)
    roles = candidates(service)
    check_lead(service, resource, roles=roles)
    with transaction.atomic():
        lock_resources(service, resource, roles=roles)
        end, resources = pick(
            service,
            start,
            lead=resource,
            now=now,
            staff=True,
            outside_hours=outside_hours,
            roles=roles,
        )
        appointment = new_appointment(
            service,
            patient=patient,
            start=start,
            end=end,
            mode=chosen_mode,
            source=Source.STAFF,
            created_by=actor,
        )
        hold(appointment, resources, roles=roles)
        rebooked = close_no_shows(patient, now=now)
        assigned = assign_clinician(
            patient, service, resources, actor=actor, ctx=ctx or AuditContext()
        )
        appointment = reload(appointment.pk)
        notify.to_patient(appointment, "confirmation", base)
        reminders.schedule(appointment, base, now=now)
        record(
            APPOINTMENT_CREATED,
            ctx=ctx,
            actor=actor,
            clinic=appointment.clinic,
            patient_id=patient.pk,
            obj=appointment,
            details={
                "service": service.slug,
                "resources": list(resources),
                "outside_hours": outside_hours,
                "clinician_assigned": assigned,
                "no_shows_rebooked": rebooked,
            },
        )
        return appointment


def staff_move(
    appointment: Appointment,
    start: datetime,
    *,
    actor: User | None,
    ctx: AuditContext | None,
    resource: str | None = None,
    outside_hours: bool = False,
    base: str = "",
    now: datetime | None = None,
) -> Appointment:
    """A member of staff moves a booked appointment; the patient is told, reminders follow."""
    return move(
        ctx,
        appointment,
        start,
        actor=actor,
        lead=resource,
        staff=True,
        outside_hours=outside_hours,
        base=base,
        now=now_or(now),
        action=APPOINTMENT_MOVED,
    )


def staff_cancel(
    appointment: Appointment,
    *,
    actor: User | None,
    ctx: AuditContext | None,
    reason: str = "",
    base: str = "",
    now: datetime | None = None,
) -> Appointment:
    """A member of staff cancels; the patient is told and the time is free again."""
    return cancel_appointment(
        ctx, appointment, actor=actor, by_patient=False, base=base, now=now_or(now), reason=reason
    )


def _mark(
    appointment: Appointment,
    status: str,
    *,
    actor: User | None,
    ctx: AuditContext | None,
    now: datetime,
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
        current = reload(appointment.pk)
        reminders.drop(current)
        record(
            f"appointment.{status}",
            ctx=ctx,
            actor=actor,
            clinic=current.clinic,
            patient_id=current.patient_id,
            obj=current,
        )
        return current


def mark_arrived(
    appointment: Appointment,
    *,
    actor: User | None,
    ctx: AuditContext | None,
    now: datetime | None = None,
) -> Appointment:
    """The patient is here. Allowed from the start of the appointment's local day."""
    now = now_or(now)
    zone = appointment.location.zone
    if appointment.start.astimezone(zone).date() > now.astimezone(zone).date():
        raise NotAllowed("A patient can be marked as arrived on the day of the appointment.")
    return _mark(appointment, Status.ARRIVED, actor=actor, ctx=ctx, now=now)


def mark_no_show(
    appointment: Appointment,
    *,
    actor: User | None,
    ctx: AuditContext | None,
    now: datetime | None = None,
) -> Appointment:
    """The patient did not come. Allowed once the appointment has started."""
    now = now_or(now)
    if appointment.start > now:
        raise NotAllowed("A no-show can be recorded once the appointment has started.")
    return _mark(appointment, Status.NO_SHOW, actor=actor, ctx=ctx, now=now)


def dismiss_follow_up(
    appointment: Appointment,
    *,
    actor: User | None,
    ctx: AuditContext | None,
    now: datetime | None = None,
) -> Appointment:
    """Staff close a no-show's follow-up without rebooking (reached, or not coming back).

    Idempotent: a follow-up already closed (rebooked or dismissed) stays as it is.
    """
    now = now_or(now)
    with transaction.atomic():
        updated = Appointment.objects.filter(
            pk=appointment.pk, status=Status.NO_SHOW, follow_up_closed_at__isnull=True
        ).update(follow_up_closed_at=now, follow_up_outcome="dismissed")
        current = reload(appointment.pk)
        if current.status != Status.NO_SHOW:
            raise NotAllowed("Only a no-show has a follow-up to dismiss.")
        if updated:
            record(
                APPOINTMENT_FOLLOW_UP_DISMISSED,
                ctx=ctx,
                actor=actor,
                clinic=current.clinic,
                patient_id=current.patient_id,
                obj=current,
            )
        return current
