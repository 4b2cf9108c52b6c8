from __future__ import annotations

from datetime import date

import pytest

from annulus.accounts.models import Role
from annulus.audit.models import AuditEvent
from annulus.patients.models import ChangeRecord, Intake, Patient, Stage
from annulus.testing import make_staff, sign_in

pytestmark = pytest.mark.django_db


def make_patient(clinic, **fields):
    values = {"first_name": "Robin", "last_name": "Example", "date_of_birth": date(1980, 5, 4)}
    values.update(fields)
    return Patient.objects.create(clinic=clinic, **values)


def test_it_lists_searches_filters_and_pages_patients(staff_client, clinic, clinician):
    for n in range(30):
        make_patient(
            clinic, last_name=f"Person{n:02d}", stage=Stage.NEW if n % 2 else Stage.TREATED
        )
    make_patient(clinic, first_name="Unique", last_name="Needle", clinician=clinician)
    page = staff_client.get("/staff/patients/")
    assert page.status_code == 200
    assert b"31 patients" in page.content
    assert b"Page 1 of 2" in page.content
    found = staff_client.get("/staff/patients/?q=needle")
    assert b"Needle, Unique" in found.content
    assert b"1 patient<" in found.content
    treated = staff_client.get("/staff/patients/?stage=treated")
    assert b"15 patients" in treated.content
    mine = staff_client.get(f"/staff/patients/?clinician={clinician.pk}")
    assert b"1 patient<" in mine.content


def test_it_never_lists_another_clinics_patients(client, clinic, outsider):
    make_patient(clinic, last_name="Hidden")
    sign_in(client, outsider)
    assert b"Hidden" not in client.get("/staff/patients/").content


def test_the_list_uses_a_constant_number_of_queries(staff_client, clinic, clinician):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get("/staff/patients/").status_code == 200
        return len(ctx.captured_queries)

    make_patient(clinic, clinician=clinician)
    with_one = count_queries()
    for n in range(24):
        make_patient(clinic, last_name=f"P{n}", clinician=clinician)
    assert count_queries() == with_one
    assert with_one <= 16  # + the permission matrix reading the member's roles


def test_the_patient_page_shows_a_timeline_in_few_queries(
    staff_client, clinic, django_assert_max_num_queries
):
    patient = make_patient(clinic)
    # A fixed number whatever the record holds; 28 since the page shows the next appointments,
    # the referring doctors and the survey-link button.
    with django_assert_max_num_queries(28):
        page = staff_client.get(f"/staff/patients/{patient.pk}/")
    assert page.status_code == 200
    assert b"Record created" in page.content
    assert AuditEvent.objects.filter(action="patient.read", patient_id=patient.pk).exists()


def test_it_validates_new_patients_and_names_the_field(staff_client):
    response = staff_client.post(
        "/staff/patients/new/",
        {
            "first_name": "",
            "last_name": "X",
            "date_of_birth": "2999-01-01",
            "sex": "unknown",
            "preferred_contact": "email",
            "stage": "new",
            "veteran": "unknown",
        },
    )
    assert response.status_code == 200
    assert b"This field is required" in response.content
    assert b"cannot be in the future" in response.content
    assert Patient.objects.count() == 0


def test_it_creates_a_patient_with_history(staff_client, clinic, clinician):
    response = staff_client.post(
        "/staff/patients/new/",
        {
            "first_name": "Sam",
            "last_name": "Sample",
            "date_of_birth": "1975-02-03",
            "sex": "female",
            "preferred_contact": "email",
            "stage": "new",
            "veteran": "true",
            "email": "sam@example.org",
        },
    )
    assert response.status_code == 302
    patient = Patient.objects.get()
    assert patient.clinic == clinic
    assert patient.veteran is True
    change = ChangeRecord.objects.get(patient=patient)
    assert change.action == "create"
    assert change.changed_by == clinician


def test_intake_keeps_unknowns_and_records_before_and_after(staff_client, clinic):
    patient = make_patient(clinic)
    url = f"/staff/patients/{patient.pk}/intake/"
    data = {"back_pain_nrs": "7", "fever": "false", "saddle_anesthesia": "unknown"}
    assert staff_client.post(url, data).status_code == 302
    intake = Intake.objects.get(patient=patient)
    assert intake.back_pain_nrs == 7
    assert intake.fever is False
    assert intake.saddle_anesthesia is None
    staff_client.post(url, {**data, "back_pain_nrs": "5"})
    latest = ChangeRecord.objects.filter(patient=patient, record_type="Intake").first()
    assert latest.changes["back_pain_nrs"] == [7.0, 5.0]


def test_intake_refuses_impossible_values_and_keeps_the_stored_ones(staff_client, clinic):
    patient = make_patient(clinic)
    Intake.objects.create(patient=patient, back_pain_nrs=6)
    response = staff_client.post(
        f"/staff/patients/{patient.pk}/intake/", {"back_pain_nrs": "14", "odi": "-3"}
    )
    assert response.status_code == 200
    assert b"less than or equal to 10" in response.content
    assert b"greater than or equal to 0" in response.content
    assert Intake.objects.get(patient=patient).back_pain_nrs == 6


def test_an_admin_can_neither_read_nor_write_clinical_data(client, clinic):
    patient = make_patient(clinic)
    admin = make_staff(clinic, Role.ADMIN)
    sign_in(client, admin)
    # Minimum necessary (accounts/permissions.yaml): IT administration reads no records.
    assert client.get(f"/staff/patients/{patient.pk}/").status_code == 403
    response = client.post(f"/staff/patients/{patient.pk}/intake/", {"back_pain_nrs": "3"})
    assert response.status_code == 403


def test_another_clinics_patient_is_a_404_and_audited(client, clinic, outsider):
    patient = make_patient(clinic)
    sign_in(client, outsider)
    for path in ("", "intake/", "history/", "imaging/new/", "discography/"):
        assert client.get(f"/staff/patients/{patient.pk}/{path}").status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", patient_id=patient.pk).count() == 5


def test_intake_asks_the_red_flags_in_the_self_screens_words():
    from annulus.patients.forms import IntakeForm
    from annulus.screening.red_flags import RED_FLAGS

    form = IntakeForm()
    for flag in RED_FLAGS:
        assert form.fields[flag.id].label == flag.question
