from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.test import Client

from annulus.patients.models import Patient


@pytest.fixture
def patient(clinic: Any, clinician: Any) -> Patient:
    clinic.on_call_email = "oncall@clinic.example"
    clinic.save()
    return Patient.objects.create(
        clinic=clinic,
        first_name="Robin",
        last_name="Example",
        date_of_birth=date(1980, 5, 4),
        email="robin@example.test",
        clinician=clinician,
    )


def intake_visitor(staff_client: Client, patient: Patient) -> Client:
    page = staff_client.post(f"/staff/patients/{patient.pk}/intake/link/")
    match = re.search(r'value="http://testserver(/intake/[^"]+)"', page.content.decode())
    assert match is not None
    visitor = Client()
    visitor.get(match.group(1))
    return visitor
