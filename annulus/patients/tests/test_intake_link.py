from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client

from annulus.patients.models import ChangeRecord, Intake, IntakeLink, IntakeStatus, Patient
from annulus.screening.red_flags import CAUDA_EQUINA_IDS

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(clinic):
    return Patient.objects.create(
        clinic=clinic, first_name="Robin", last_name="Example", date_of_birth=date(1980, 5, 4)
    )


def make_link(staff_client, patient) -> str:
    page = staff_client.post(f"/staff/patients/{patient.pk}/intake/link/")
    return re.search(r'value="(http://testserver/intake/[^"]+)"', page.content.decode()).group(1)


def test_it_stores_only_the_hash_and_takes_the_token_out_of_the_url(staff_client, patient):
    url = make_link(staff_client, patient)
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 22  # 128 bits in base64url
    assert not IntakeLink.objects.filter(token_hash=token).exists()
    visitor = Client()
    first = visitor.get(url)
    assert first.status_code == 302
    assert first["Location"] == "/intake/"
    assert first["Referrer-Policy"] == "no-referrer"
    page = visitor.get("/intake/")
    assert page.status_code == 200
    assert token not in page.content.decode()


def test_a_patient_fills_in_section_by_section_and_staff_review_it(staff_client, patient):
    visitor = Client()
    visitor.get(make_link(staff_client, patient))
    assert visitor.post("/intake/?section=1", {"back_pain_nrs": "6"}).status_code == 302
    assert Intake.objects.get(patient=patient).status == IntakeStatus.DRAFT
    # resumable: a fresh visit shows the saved answer
    assert b'value="6.0"' in visitor.get("/intake/?section=1").content
    finish = {"consent_to_treatment_information": "true", "submit": "1"}
    # The cauda-equina questions must be answered yes or no before the intake can be sent.
    response = visitor.post("/intake/?section=5", finish)
    assert response["Location"] == "/intake/?section=2&unanswered=1"
    assert Intake.objects.get(patient=patient).status == IntakeStatus.DRAFT
    assert b"Before you send your answers" in visitor.get(response["Location"]).content
    cauda = dict.fromkeys(CAUDA_EQUINA_IDS, "False")
    assert visitor.post("/intake/?section=2", cauda).status_code == 302
    response = visitor.post("/intake/?section=5", finish)
    assert response.status_code == 302
    intake = Intake.objects.get(patient=patient)
    assert intake.status == IntakeStatus.SUBMITTED
    assert ChangeRecord.objects.filter(patient=patient, via_patient_link=True).exists()
    assert b"Thank you" in visitor.get("/intake/").content
    review = staff_client.post(f"/staff/patients/{patient.pk}/intake/review/")
    assert review.status_code == 302
    assert Intake.objects.get(patient=patient).status == IntakeStatus.REVIEWED


def test_the_patient_view_hides_clinician_only_fields(staff_client, patient):
    visitor = Client()
    visitor.get(make_link(staff_client, patient))
    visitor.post("/intake/?section=1", {"back_pain_nrs": "6", "radicular_signs": "true"})
    assert Intake.objects.get(patient=patient).radicular_signs is None


def test_expired_revoked_and_tampered_links_get_a_kind_page(staff_client, patient):
    old = make_link(staff_client, patient)
    new = make_link(staff_client, patient)  # revokes the old one
    tampered = new[:-4] + "xyz/"
    for url in (old, tampered, "http://testserver/intake/short/"):
        response = Client().get(url)
        assert response.status_code == 404
        assert b"This link no longer works" in response.content
    IntakeLink.objects.update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert Client().get(new).status_code == 404


def test_a_session_without_a_link_cannot_open_the_form():
    response = Client().get("/intake/")
    assert response.status_code == 404


def test_the_spanish_intake_asks_every_question_in_spanish(staff_client, patient):
    """Issue #18: the labels, help and choices on the patient's own form follow /es/."""
    url = make_link(staff_client, patient).replace("http://testserver/intake/", "/es/intake/")
    visitor = Client()
    assert visitor.get(url)["Location"] == "/es/intake/"
    html = "".join(visitor.get(f"/es/intake/?section={n}").content.decode() for n in range(1, 6))
    for spanish in (
        "¿Cuánto tiempo hace que tiene el dolor de espalda (en meses)?",
        "¿Ese tratamiento incluyó ejercicio o fisioterapia?",
        "Por ejemplo warfarina, apixabán",
        "Todavía no lo sé",
        "Medicamentos",
    ):
        assert spanish in html, spanish
    assert "elija «Todavía no lo sé»." in html  # Spanish quotation marks, not “…”
    assert "“" not in html and "”" not in html
    for english in ("How long has the back pain lasted", "Not known yet", "Bleeding disorder"):
        assert english not in html, english
    response = visitor.post(
        "/es/intake/?section=3",
        {"epidural_steroid_received": "false", "epidural_steroid_sustained_relief": "true"},
    )
    assert "No se puede indicar alivio de una inyección epidural" in response.content.decode()
