from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from annulus.lib.tokens import new_token, token_hash
from annulus.patients.models import Intake, IntakeLink, IntakeStatus, Patient
from annulus.screening.red_flags import CAUDA_EQUINA_IDS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_patient_completes_their_intake_on_a_phone(phone_page, clinic):
    patient = Patient.objects.create(
        clinic=clinic, first_name="Robin", last_name="Example", date_of_birth=date(1980, 5, 4)
    )
    token = new_token()
    IntakeLink.objects.create(
        patient=patient,
        token_hash=token_hash(token),
        expires_at=datetime.now(UTC) + timedelta(days=14),
    )
    page = phone_page
    page.goto(f"/intake/{token}/")
    assert page.url.endswith("/intake/")  # the token left the address bar
    assert "Hello Robin" in page.content()
    page.get_by_label("Average low back pain, past 7 days (0–10)").fill("7")
    page.get_by_role("button", name="Save and continue").click()
    assert "Step 2 of 5" in page.content()
    for flag in CAUDA_EQUINA_IDS:  # no "Not known yet" here: yes or no
        page.locator(f'input[name="{flag}"][value="False"]').check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Send my answers").click()
    assert "Thank you" in page.locator("h1").inner_text()
    intake = Intake.objects.get(patient=patient)
    assert intake.status == IntakeStatus.SUBMITTED
    assert intake.back_pain_nrs == 7
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
