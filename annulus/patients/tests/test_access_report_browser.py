"""#14 item 7: a coordinator produces the access report from the patient page and opens it."""

from __future__ import annotations

from datetime import date

import pytest

from annulus.accounts import demo
from annulus.accounts.models import User
from annulus.patients.models import Patient
from annulus.testing import audit_actions, current_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_produces_the_access_report_pdf_from_the_patient_page(page):
    clinic = demo.seed_clinic()
    demo.seed_staff(clinic)
    coordinator = User.objects.get(email="coordinator@demo.annulus.test")
    patient = Patient.objects.create(
        clinic=clinic, first_name="Quinn", last_name="Whitaker", date_of_birth=date(1975, 1, 9)
    )

    page.goto("/staff/")
    page.get_by_label("Email").fill(coordinator.email)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code").fill(current_totp(coordinator))
    page.get_by_role("button", name="Verify").click()

    page.goto(f"/staff/patients/{patient.pk}/")
    page.get_by_role("link", name="Access report").click()
    assert page.locator("h1").inner_text() == "Access report"
    # The form offers the last year up to today; the coordinator keeps it and produces the PDF.
    assert page.get_by_label("To").input_value()
    with page.expect_response(
        lambda r: r.url.endswith("/access-report/") and r.request.method == "POST"
    ) as produced:
        page.get_by_role("button", name="Produce the PDF").click()
    response = produced.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
    assert response.headers["cache-control"] == "no-store"
    # Chromium opens it in its PDF viewer (the body Playwright sees is the viewer's page; the
    # bytes themselves are checked in test_access_report.py).
    assert page.url.endswith(f"/staff/patients/{patient.pk}/access-report/")
    assert page.locator("h1").count() == 0 or page.locator("h1").inner_text() != "Access report"
    assert "access_report.produced" in audit_actions(patient_id=patient.pk)
