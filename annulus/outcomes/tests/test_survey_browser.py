from __future__ import annotations

import pytest
from django.core.management import call_command

from annulus.outcomes import actions
from annulus.outcomes.models import Invitation
from annulus.outcomes.tests.conftest import token_in
from annulus.testing import PASSWORD, current_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ODI = [2, 2, 2, 2, 2, 2, 1, 1, 1, 1]  # 16 of 50: an index of 32 %


def test_a_patient_answers_the_emailed_survey_on_a_phone_and_staff_see_the_score(
    live_server, phone_page, page, patient, clinician, mailoutbox, settings
):
    settings.ANNULUS_SITE_URL = live_server.url
    actions.enrol(patient)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert len(mailoutbox) == 1
    token = token_in(mailoutbox[0].body)
    assert f"{live_server.url}/survey/{token}/" in mailoutbox[0].body

    phone = phone_page
    phone.goto(f"{live_server.url}/survey/{token}/")
    assert phone.url == f"{live_server.url}/survey/"  # the token left the address bar
    assert "Page 1 of 14" in phone.locator("main").inner_text()
    phone.locator("#id_back-pain_6").check()
    phone.get_by_role("button", name="Save and continue").click()
    phone.locator("#id_leg-pain_2").check()
    phone.get_by_role("button", name="Save and continue").click()
    for value in ODI:
        phone.locator(f"input[type=radio][value='{value}']").first.check()
        phone.get_by_role("button", name="Save and continue").click()
    assert "Page 13 of 14" in phone.locator("main").inner_text()
    for n in range(1, 25):
        phone.locator(f"#id_item-{n:02d}_{0 if n <= 5 else 1}").check()  # five "yes"
    phone.get_by_role("button", name="Save and review").click()
    assert "You have answered every question" in phone.locator("main").inner_text()
    # Nothing on the page is wider than the phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.get_by_role("button", name="Send my answers").click()
    assert phone.locator("h1").inner_text() == "Thank you"
    assert Invitation.objects.get(code="baseline").status == "completed"

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(clinician.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code").fill(current_totp(clinician))
    page.get_by_role("button", name="Verify").click()
    page.goto(f"{live_server.url}/staff/patients/{patient.pk}/outcomes/")
    baseline = page.locator("#tp-baseline")
    assert "Completed" in baseline.inner_text()
    cells = baseline.locator("td.score").all_inner_texts()
    assert any(cell.startswith("32") for cell in cells), cells  # ODI 16/50
    assert any(cell.startswith("6") for cell in cells), cells  # back pain
    assert page.locator("img[alt^='Disability (ODI)']").count() == 1
