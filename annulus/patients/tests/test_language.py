"""The patient's language: staff can change it, through the patient action, with its history."""

from __future__ import annotations

from datetime import date

import pytest

from annulus.patients.models import ChangeRecord, Patient

pytestmark = pytest.mark.django_db


def test_staff_set_the_language_and_the_change_is_recorded(staff_client, clinic):
    patient = Patient.objects.create(
        clinic=clinic, first_name="Rosa", last_name="Prueba", date_of_birth=date(1980, 5, 2)
    )
    assert patient.language == "en"
    data = {
        "first_name": "Rosa",
        "last_name": "Prueba",
        "date_of_birth": "1980-05-02",
        "sex": "unknown",
        "preferred_contact": "email",
        "stage": "new",
        "veteran": "",
        "language": "es",
    }
    response = staff_client.post(f"/staff/patients/{patient.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:400]
    patient.refresh_from_db()
    assert patient.language == "es"
    change = ChangeRecord.objects.filter(patient=patient).latest("id")
    assert change.changes["language"] == ["en", "es"]

    # A form that does not send it (older scripts) keeps the language as it is.
    del data["language"]
    data["first_name"] = "Rosa María"
    assert staff_client.post(f"/staff/patients/{patient.pk}/edit/", data).status_code == 302
    patient.refresh_from_db()
    assert (patient.first_name, patient.language) == ("Rosa María", "es")


def test_an_unknown_language_is_refused_naming_the_field(staff_client, clinic):
    patient = Patient.objects.create(clinic=clinic, first_name="Ann", last_name="Example")
    data = {"first_name": "Ann", "last_name": "Example", "sex": "unknown",
            "preferred_contact": "email", "stage": "new", "language": "fr"}  # fmt: skip
    response = staff_client.post(f"/staff/patients/{patient.pk}/edit/", data)
    assert response.status_code == 200
    assert "language" in response.context["form"].errors
