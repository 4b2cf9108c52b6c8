"""Changes to a booked appointment: move it or cancel it (by the patient, or by staff).

Either frees a time: the first patient on the service's waitlist is offered it (`waitlist`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext

from annulus.audit.actions import APPOINTMENT_CANCELLED, APPOINTMENT_RESCHEDULED
from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.scheduling import notify, reminders
from annulus.scheduling.actions.common import (
    NotAllowed,
    check_lead,
    check_start,
    hold,
    lock_resources,
    now_or,
    pick,
    reload,
)
from annulus.scheduling.actions.waitlist import offer_freed
from annulus.scheduling.availability import candidates
from annulus.scheduling.models import Appointment, Occupancy, Status

if TYPE_CHECKING:
    from annulus.accounts.models import User

__all__ = ["cancel", "cancel_appointment", "move", "reschedule"]


def _movable(appointment: Appointment, now: datetime) -> None:
    if appointment.status != Status.BOOKED:
        raise NotAllowed(gettext("Only a booked appointment can be changed."))
    if appointment.start <= now:
        raise NotAllowed(gettext("This appointment has already started."))


def move(
    ctx: AuditContext | None,
    appointment: Appointment,
    start: datetime,
    *,
    lead: str | None,
    staff: bool,
    outside_hours: bool,
    base: str,
    now: datetime,
    action: str,
    actor: User | None = None,
) -> Appointment:
    """Move a booked appointment to a free time; `action` names its audit event."""
    service = appointment.service
    check_start(service, start, now=now, staff=staff)
    roles = candidates(service)
    check_lead(service, lead, roles=roles)
    with transaction.atomic():
        current = Appointment.objects.select_for_update().get(pk=appointment.pk)
        _movable(current, now)
        lock_resources(service, lead, roles=roles)
        before = current.start
        end, resources = pick(
            service,
            start,
            lead=lead,
            now=now,
            staff=staff,
            outside_hours=outside_hours,
            exclude=current.pk,
            roles=roles,
        )
        Occupancy.objects.filter(appointment=current).delete()
        current.start, current.end = start, end
        current.sequence += 1
        current.save(update_fields=["start", "end", "sequence", "updated_at"])
        hold(current, resources, roles=roles)
        current = reload(current.pk)
        reminders.drop(current)
        reminders.schedule(current, base, now=now)
        notify.to_patient(current, "rescheduled", base)
        offer_freed(service, before, ctx=ctx, base=base, now=now)
        record(
            action,
            ctx=ctx,
            actor=actor,
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
    ctx: AuditContext | None,
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
    return move(
        ctx,
        appointment,
        start,
        lead=resource,
        staff=False,
        outside_hours=False,
        base=base,
        now=now_or(now),
        action=APPOINTMENT_RESCHEDULED,
    )


def cancel_appointment(
    ctx: AuditContext | None,
    appointment: Appointment,
    *,
    by_patient: bool,
    base: str,
    now: datetime,
    reason: str = "",
    actor: User | None = None,
) -> Appointment:
    """Cancel a booked appointment: the time is free again and the patient is told."""
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
        current = reload(current.pk)
        reminders.drop(current)
        notify.to_patient(current, "cancelled", base)
        offer_freed(current.service, current.start, ctx=ctx, base=base, now=now)
        record(
            APPOINTMENT_CANCELLED,
            ctx=ctx,
            actor=actor,
            clinic=current.clinic,
            patient_id=current.patient_id,
            obj=current,
            details={"by": "patient" if by_patient else "staff", "reason": reason[:40]},
        )
        return current


def cancel(
    ctx: AuditContext | None,
    appointment: Appointment,
    *,
    base: str = "",
    now: datetime | None = None,
) -> Appointment:
    """The patient cancels through their manage link. Frees the time and drops the reminders."""
    return cancel_appointment(ctx, appointment, by_patient=True, base=base, now=now_or(now))
