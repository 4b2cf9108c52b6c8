from __future__ import annotations

from datetime import date

import pytest

from annulus.clinical.models import DiagnosticInjection, Discogram, LevelFinding, MRIStudy
from annulus.consents.testing import signed_consent
from annulus.patients.models import ChangeRecord, Patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(clinic):
    return Patient.objects.create(
        clinic=clinic, first_name="Robin", last_name="Example", date_of_birth=date(1980, 5, 4)
    )


def test_it_saves_the_level_grid_and_its_history(staff_client, patient):
    response = staff_client.post(
        f"/staff/patients/{patient.pk}/imaging/new/",
        {
            "study_date": "2026-06-10",
            "scoliosis_cobb_degrees": "0",
            "L4-L5__pfirrmann_grade": "3",
            "L4-L5__contour": "bulge",
            "L4-L5__stenosis": "none",
            "L4-L5__high_intensity_zone": "true",
            "L5-S1__modic_type": "1",
        },
    )
    assert response.status_code == 302
    study = MRIStudy.objects.get(patient=patient)
    findings = {f.level: f for f in LevelFinding.objects.filter(study=study)}
    assert set(findings) == {"L4-L5", "L5-S1"}
    assert findings["L4-L5"].pfirrmann_grade == 3
    assert findings["L4-L5"].high_intensity_zone is True
    assert findings["L4-L5"].disc_height_loss_percent is None
    assert ChangeRecord.objects.filter(patient=patient, record_type="LevelFinding").count() == 2
    # emptying a row removes it, and the removal is in the history
    staff_client.post(
        f"/staff/patients/{patient.pk}/imaging/{study.pk}/",
        {"study_date": "2026-06-10", "L4-L5__pfirrmann_grade": "3"},
    )
    assert set(LevelFinding.objects.values_list("level", flat=True)) == {"L4-L5"}
    assert ChangeRecord.objects.filter(action="delete", record_type="LevelFinding").exists()


def test_it_refuses_a_pfirrmann_grade_of_seven_and_a_future_date(staff_client, patient):
    response = staff_client.post(
        f"/staff/patients/{patient.pk}/imaging/new/",
        {
            "study_date": "2999-01-01",
            "L4-L5__pfirrmann_grade": "7",
            "L3-L4__protrusion_mm": "4",
            "L3-L4__contour": "bulge",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "cannot be in the future" in body
    assert "less than or equal to 5" in body
    assert "L3-L4: a protrusion size needs the contour set to protrusion" in body
    assert MRIStudy.objects.count() == 0


def test_it_records_a_discography_session(staff_client, patient, clinician):
    signed_consent(patient, "discography")
    response = staff_client.post(
        f"/staff/patients/{patient.pk}/discography/",
        {
            "performed_on": "2026-08-20",
            "operator": str(clinician.pk),
            "sedation": "local",
            "antibiotic_prophylaxis": "none",
            "L3-L4__concordance": "none",
            "L3-L4__opening_pressure_psi": "8",
            "L3-L4__pain_intensity": "0",
            "L4-L5__concordance": "concordant",
            "L4-L5__opening_pressure_psi": "9",
            "L4-L5__pain_onset_psi_above_opening": "12",
            "L4-L5__pain_intensity": "8",
            "L4-L5__dallas_grade": "3",
        },
    )
    assert response.status_code == 302
    assert Discogram.objects.filter(patient=patient).count() == 2


def test_discography_names_the_level_at_fault(staff_client, patient):
    response = staff_client.post(
        f"/staff/patients/{patient.pk}/discography/",
        {
            "performed_on": "2026-08-20",
            "L4-L5__pain_intensity": "11",
            "L5-S1__concordance": "none",
            "L5-S1__pain_onset_psi_above_opening": "20",
        },
    )
    body = response.content.decode()
    assert "L4-L5: choose the response" in body
    assert "less than or equal to 10" in body
    assert "L5-S1: leave the onset pressure empty" in body
    assert Discogram.objects.count() == 0


def test_it_records_blocks_and_refuses_relief_over_100(staff_client, patient):
    url = f"/staff/patients/{patient.pk}/injections/new/"
    bad = staff_client.post(
        url, {"kind": "medial_branch", "performed_on": "2026-05-02", "relief_percent": "120"}
    )
    assert b"less than or equal to 100" in bad.content
    assert b"needs at least one level" in bad.content
    ok = staff_client.post(
        url,
        {
            "kind": "medial_branch",
            "performed_on": "2026-05-02",
            "levels": ["L4-L5", "L5-S1"],
            "relief_percent": "20",
        },
    )
    assert ok.status_code == 302
    assert DiagnosticInjection.objects.get().levels == ["L4-L5", "L5-S1"]
