"""A coordinator brings in an outside MRI report from the patient's record and opens it."""

from __future__ import annotations

from datetime import date

import pytest

from annulus.accounts import demo
from annulus.accounts.models import User
from annulus.documents.models import Document
from annulus.documents.tests.conftest import PDF_BYTES
from annulus.patients.models import Patient
from annulus.testing import audit_actions, current_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clinician_uploads_a_pdf_to_a_patient_and_opens_it(page, tmp_path):
    clinic = demo.seed_clinic()
    demo.seed_staff(clinic)
    clinician = User.objects.get(email="clinician@demo.annulus.test")
    patient = Patient.objects.create(
        clinic=clinic, first_name="Quinn", last_name="Whitaker", date_of_birth=date(1975, 1, 9)
    )
    report = tmp_path / "outside-mri-report.pdf"
    report.write_bytes(PDF_BYTES)

    page.goto("/staff/")
    page.get_by_label("Email").fill(clinician.email)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code").fill(current_totp(clinician))
    page.get_by_role("button", name="Verify").click()

    page.goto(f"/staff/patients/{patient.pk}/")
    page.get_by_role("link", name="Documents").click()
    assert page.locator("h1").inner_text() == "Documents"
    page.get_by_label("Kind of document").select_option(label="MRI report")
    page.get_by_label("Description").fill("Outside MRI, lumbar")
    page.get_by_label("File to upload").set_input_files(str(report))
    page.get_by_role("button", name="Upload", exact=True).click()
    assert "Document uploaded." in page.locator(".messages").inner_text()

    document = Document.objects.get(patient=patient)
    link = page.get_by_role("link", name=f"View MRI report #{document.pk}")
    href = link.get_attribute("href")
    assert href is not None
    # Opening the link: the browser receives the PDF itself, inline and uncached.
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
    assert response.headers["cache-control"] == "no-store"
    assert response.body() == PDF_BYTES
    assert "document.view" in audit_actions(patient_id=patient.pk)
