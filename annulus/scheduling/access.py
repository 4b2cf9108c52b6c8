"""The access helper for appointments: every staff view that opens one goes through here."""

from __future__ import annotations

from django.http import Http404

from annulus.accounts.access import deny, require_role
from annulus.accounts.staff_request import StaffRequest
from annulus.audit.actions import APPOINTMENT_READ
from annulus.audit.record import record
from annulus.patients.access import WRITE_ROLES
from annulus.scheduling.models import Appointment


def get_appointment_for_user(request: StaffRequest, pk: int, *, write: bool = False) -> Appointment:
    """The appointment, if it belongs to the current clinic; every open is audited.

    Another clinic's appointment is a 404 and an `access.denied` event. `write=True` also needs
    a coordinating or clinical role.
    """
    appointment = (
        Appointment.objects.select_related("service", "location", "clinic", "patient")
        .filter(pk=pk)
        .first()
    )
    if appointment is None:
        raise Http404("No such appointment.")
    if appointment.clinic_id != request.clinic.pk:
        deny(request, kind="appointment", pk=pk, patient_id=appointment.patient_id)
    if write:
        require_role(request, *WRITE_ROLES)
    else:
        record(
            APPOINTMENT_READ,
            request=request,
            clinic=appointment.clinic,
            patient_id=appointment.patient_id,
            obj=appointment,
        )
    return appointment
