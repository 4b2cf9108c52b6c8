from __future__ import annotations

import pytest
from django.http import Http404
from django.test import RequestFactory

from annulus.accounts.models import Membership
from annulus.audit.models import AuditEvent
from annulus.patients.access import get_patient_for_user
from annulus.patients.models import Patient

pytestmark = pytest.mark.django_db


def staff_request(user):
    request = RequestFactory().get("/staff/patients/1/")
    request.user = user
    request.clinic = Membership.objects.get(user=user).clinic
    request.resolver_match = None
    return request


def test_it_returns_and_audits_a_patient_of_the_clinic(clinic, clinician):
    patient = Patient.objects.create(clinic=clinic, first_name="Ada", last_name="Testperson")
    assert get_patient_for_user(staff_request(clinician), patient.pk) == patient
    event = AuditEvent.objects.get(action="patient.read")
    assert event.patient_id == patient.pk
    assert event.actor == clinician
    assert "Ada" not in str(event.details)


def test_it_hides_another_clinics_patient_and_audits_the_attempt(clinic, outsider):
    patient = Patient.objects.create(clinic=clinic, first_name="Ada", last_name="Testperson")
    with pytest.raises(Http404):
        get_patient_for_user(staff_request(outsider), patient.pk)
    event = AuditEvent.objects.get(action="access.denied")
    assert event.patient_id == patient.pk
    assert not AuditEvent.objects.filter(action="patient.read").exists()
