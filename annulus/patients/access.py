"""The access helper for patients: every view that touches a patient goes through here."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from annulus.accounts.access import deny, request_clinic, require_role
from annulus.accounts.models import Role
from annulus.audit.actions import PATIENT_READ, PATIENT_WRITE
from annulus.audit.record import record
from annulus.patients.models import Patient

WRITE_ROLES = (Role.COORDINATOR, Role.CLINICIAN, Role.DIRECTOR)


def get_patient_for_user(request: HttpRequest, pk: int, *, write: bool = False) -> Patient:
    """The patient, if they belong to the current clinic; every read is audited.

    Another clinic's patient is a 404 and an `access.denied` event. `write=True` also needs a
    clinical or coordinating role (an admin manages the system, not records).
    """
    patient = Patient.objects.select_related("clinic", "clinician").filter(pk=pk).first()
    if patient is None:
        raise Http404("No such patient.")
    if patient.clinic_id != request_clinic(request).pk:
        deny(request, kind="patient", pk=pk, patient_id=patient.pk)
    if write:
        require_role(request, *WRITE_ROLES)
    record(
        PATIENT_WRITE if write else PATIENT_READ,
        request=request,
        clinic=patient.clinic,
        patient_id=patient.pk,
        obj=patient,
        details={"view": request.resolver_match.view_name if request.resolver_match else ""},
    )
    return patient
