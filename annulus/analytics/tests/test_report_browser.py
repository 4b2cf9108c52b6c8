"""A clinician opens the outcomes report from the staff navigation, then its PDF."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from annulus.analytics.tests.cohort import enrol
from annulus.testing import PASSWORD, current_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_clinician_opens_the_report_and_its_pdf(
    live_server: Any, page: Any, clinic: Any, clinician: Any
) -> None:
    today = timezone.now().date()
    for i in range(12):
        scores = {"baseline": {"odi": 50}, "month-6": {"odi": 30 if i < 8 else 48}}
        enrol(clinic, "fibrin", today - timedelta(days=400), today, scores)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(clinician.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code").fill(current_totp(clinician))
    page.get_by_role("button", name="Verify").click()
    page.get_by_role("link", name="Outcomes report").click()
    assert page.locator("h1").inner_text() == "Outcomes beside the evidence"
    main = page.locator("main").inner_text()
    assert "Fibrin injection: 12 enrolled" in main
    assert "66.7%" in main  # 8 of 12 responders at 6 months
    assert page.locator("img[alt^='ODI responders, Fibrin injection']").count() == 1
    assert page.locator("img[alt^='Free of fusion']").count() == 4
    with page.expect_response(lambda r: "report.pdf" in r.url) as pdf:
        page.get_by_role("link", name="PDF").click()
    response = pdf.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
