"""The whole job, as a clinician does it in the browser: from MRI grid to consult note."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from annulus.accounts import demo
from annulus.accounts.models import User
from annulus.candidacy.actions import clinic_today
from annulus.candidacy.models import Evaluation, Review
from annulus.candidacy.tests.record_helpers import candidate_record
from annulus.consents.testing import signed_consent
from annulus.testing import current_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clinician_fills_the_work_up_runs_the_protocol_overrides_and_prints_the_note(page):
    clinic = demo.seed_clinic()
    demo.seed_staff(clinic)
    clinician = User.objects.get(email="clinician@demo.annulus.test")
    # Intake done and a negative facet block on file; MRI and discography still to enter.
    patient = candidate_record(
        clinic, first="Quinn", last="Whitaker", imaging=False, discography=False
    )
    today = clinic_today(patient)
    signed_consent(patient, "discography")  # signed by the patient beforehand

    page.goto("/staff/")
    page.get_by_label("Email").fill(clinician.email)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code").fill(current_totp(clinician))
    page.get_by_role("button", name="Verify").click()

    page.goto("/staff/patients/")
    page.get_by_role("link", name="Whitaker, Quinn").click()
    assert page.locator("h1").inner_text() == "Whitaker, Quinn"

    # MRI findings in the per-level grid
    page.get_by_role("link", name="Add MRI").click()
    page.get_by_label("Study date").fill((today - timedelta(days=60)).isoformat())
    page.get_by_label("Scoliosis Cobb angle").fill("0")

    def cell(label: str):
        return page.get_by_label(f"L4-L5 {label}")

    cell("Pfirrmann").fill("3")
    cell("Height loss").fill("15")
    cell("HIZ").select_option("true")
    cell("Modic").fill("0")
    cell("Contour").select_option("bulge")
    cell("Stenosis").select_option("none")
    cell("Meyerding").fill("0")
    cell("Spondylolysis").select_option("false")
    cell("Translation").fill("1")
    cell("Angulation").fill("4")
    page.get_by_role("button", name="Save findings").click()
    assert "MRI findings saved." in page.locator(".messages").inner_text()

    # Discography: a painful L4-L5 with a silent control disc above it
    page.goto(f"/staff/patients/{patient.pk}/")
    page.get_by_role("link", name="Discography", exact=True).click()
    page.get_by_label("Date").fill((today - timedelta(days=20)).isoformat())
    page.get_by_label("Sedation").select_option("local")
    page.get_by_label("Antibiotic prophylaxis").select_option("none")
    page.get_by_label("L3-L4 Response").select_option("none")
    page.get_by_label("L3-L4 Opening psi").fill("8")
    page.get_by_label("L3-L4 Pain").fill("0")
    page.get_by_label("L4-L5 Response").select_option("concordant")
    page.get_by_label("L4-L5 Opening psi").fill("9")
    page.get_by_label("L4-L5 Onset psi above opening").fill("12")
    page.get_by_label("L4-L5 Pain").fill("8")
    page.get_by_label("L4-L5 Dallas").fill("3")
    page.get_by_role("button", name="Save discography").click()
    assert "Discography saved." in page.locator(".messages").inner_text()

    # Run the protocol and read the decision
    page.goto(f"/staff/patients/{patient.pk}/")
    page.get_by_role("link", name="Candidacy", exact=True).click()
    assert page.get_by_label("Protocol").input_value() == "annulus-default@2"
    # The record does not carry the spec §6.1 facts yet (issue 12, part 3): run version 1.
    page.get_by_label("Protocol").select_option("annulus-default@1")
    page.get_by_role("button", name="Run the protocol").click()
    assert page.locator("#outcome").inner_text() == "Candidate"
    assert "L4-L5" in page.locator(".decision-box").inner_text()
    assert "L4-L5 concordant" in page.locator("#criterion-D-DISCOGRAPHY").inner_text()

    # Override it, with a reason
    page.get_by_text("Override the decision").click()
    page.get_by_label("Reason for the override").select_option("patient_preference")
    page.get_by_label("Your decision").select_option("not_candidate")
    page.get_by_label("Conservative care", exact=True).check()
    page.get_by_label("Explanation").fill("Wants three more months of physical therapy first.")
    page.get_by_role("button", name="Record the override").click()
    assert "Override recorded." in page.locator(".messages").inner_text()
    assert "Overridden" in page.locator("#review").inner_text()

    # Download the consult note
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the consult note (PDF)").click()
    download = download_info.value
    evaluation = Evaluation.objects.get(patient=patient)
    assert download.suggested_filename == f"consult-note-evaluation-{evaluation.pk}.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF")

    assert evaluation.review == Review.OVERRIDDEN
    assert evaluation.override_outcome == "not_candidate"
    assert evaluation.overridden_criteria == ["P-CONSERVATIVE"]
