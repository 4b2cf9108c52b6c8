"""Intake carries the v2 facts: pregnancy, blood thinners, compensation or litigation."""

from __future__ import annotations

import re
from datetime import date

import pytest

from annulus.patients.models import Intake, Patient, Sex

V2_FIELDS = ("pregnant", "anticoagulant_or_antiplatelet", "compensation_or_litigation")


@pytest.fixture
def patient(clinic):
    return Patient.objects.create(
        clinic=clinic,
        first_name="Robin",
        last_name="Example",
        date_of_birth=date(1980, 5, 4),
        sex=Sex.FEMALE,
    )


def test_staff_record_the_three_facts_and_unknown_stays_unknown(staff_client, patient):
    url = f"/staff/patients/{patient.pk}/intake/"
    page = staff_client.get(url).content.decode()
    for name in V2_FIELDS:
        assert f'name="{name}"' in page
    response = staff_client.post(
        url, {"pregnant": "false", "anticoagulant_or_antiplatelet": "true"}
    )
    assert response.status_code == 302
    intake = Intake.objects.get(patient=patient)
    assert intake.pregnant is False
    assert intake.anticoagulant_or_antiplatelet is True
    assert intake.compensation_or_litigation is None
    detail = staff_client.get(f"/staff/patients/{patient.pk}/").content.decode()
    assert "Anticoagulant or antiplatelet" in detail
    assert "ASRA" in detail
    assert re.search(r"Compensation or litigation</dt><dd>Not asked yet", detail)


def test_it_refuses_a_value_that_is_not_yes_no_or_unknown(staff_client, patient):
    response = staff_client.post(
        f"/staff/patients/{patient.pk}/intake/", {"compensation_or_litigation": "maybe"}
    )
    assert response.status_code == 200
    assert not Intake.objects.filter(patient=patient).exists()


def test_pregnancy_for_a_patient_recorded_male_is_refused_with_a_message(staff_client, patient):
    patient.sex = Sex.MALE
    patient.save()
    Intake.objects.create(patient=patient)
    response = staff_client.post(f"/staff/patients/{patient.pk}/intake/", {"pregnant": "true"})
    assert response.status_code == 200
    assert "Pregnancy: the patient&#x27;s record says male" in response.content.decode()
    assert Intake.objects.get(patient=patient).pregnant is None


def test_the_patient_answers_them_through_their_link(staff_client, client, patient):
    page = staff_client.post(f"/staff/patients/{patient.pk}/intake/link/").content.decode()
    url = re.search(r'value="http://testserver(/intake/[^"]+)"', page).group(1)
    from django.test import Client

    own = Client()
    own.get(url)
    form = own.get("/intake/?section=4").content.decode()
    for name in V2_FIELDS:
        assert f'name="{name}"' in form
    response = own.post(
        "/intake/?section=4",
        {"pregnant": "false", "anticoagulant_or_antiplatelet": "false",
         "compensation_or_litigation": "true"},
    )  # fmt: skip
    assert response.status_code == 302
    intake = Intake.objects.get(patient=patient)
    assert (intake.pregnant, intake.anticoagulant_or_antiplatelet) == (False, False)
    assert intake.compensation_or_litigation is True


def test_staff_record_a_phq9_total_with_its_date_and_the_page_shows_it(staff_client, patient):
    url = f"/staff/patients/{patient.pk}/intake/"
    response = staff_client.post(url, {"phq9": "16", "phq9_date": "2026-08-01"})
    assert response.status_code == 302
    intake = Intake.objects.get(patient=patient)
    assert (intake.phq9, intake.phq9_date) == (16, date(2026, 8, 1))
    detail = staff_client.get(f"/staff/patients/{patient.pk}/").content.decode()
    assert "16 of 27 (moderately severe), answered 1 Aug 2026" in detail


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"phq9": "28", "phq9_date": "2026-08-01"}, "less than or equal to 27"),
        ({"phq9": "-1", "phq9_date": "2026-08-01"}, "greater than or equal to 0"),
        ({"phq9": "12"}, "PHQ-9: enter both the total and the date it was answered, or neither."),
        ({"phq9_date": "2026-08-01"}, "PHQ-9: enter both the total and the date"),
        ({"phq9": "5", "phq9_date": "2999-01-01"}, "PHQ-9 answered on: the date cannot be in"),
        ({"phq9": "five", "phq9_date": "2026-08-01"}, "Enter a whole number."),
    ],
)
def test_a_wrong_or_half_phq9_is_refused(staff_client, patient, data, message):
    response = staff_client.post(f"/staff/patients/{patient.pk}/intake/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Intake.objects.filter(patient=patient).exists()


def test_the_patient_link_does_not_ask_for_the_phq9_total(staff_client, patient):
    page = staff_client.post(f"/staff/patients/{patient.pk}/intake/link/").content.decode()
    url = re.search(r'value="http://testserver(/intake/[^"]+)"', page).group(1)
    from django.test import Client

    own = Client()
    own.get(url)
    form = own.get("/intake/?section=5").content.decode()
    assert 'name="phq9"' not in form and 'name="phq9_date"' not in form
