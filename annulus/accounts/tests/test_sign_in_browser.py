from __future__ import annotations

import pytest

from annulus.accounts import demo
from annulus.accounts.models import User
from annulus.testing import current_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_demo_clinician_signs_in_with_totp_and_reaches_the_staff_home(page):
    demo.seed_staff(demo.seed_clinic())
    clinician = User.objects.get(email="clinician@demo.annulus.test")

    page.goto("/staff/")
    assert page.locator("h1").inner_text() == "Staff sign-in"
    page.get_by_label("Email").fill(clinician.email)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Continue").click()

    assert page.locator("h1").inner_text() == "Two-step verification"
    page.get_by_label("Code").fill(current_totp(clinician))
    page.get_by_role("button", name="Verify").click()

    assert page.url.endswith("/staff/")
    assert "Good to see you" in page.locator("h1").inner_text()
    assert "Riverbend" in page.locator("header").inner_text()


def test_a_wrong_code_is_explained_on_the_page(page):
    demo.seed_staff(demo.seed_clinic())
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("clinician@demo.annulus.test")
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_label("Password").press("Enter")
    page.get_by_label("Code").fill("000000")
    page.get_by_label("Code").press("Enter")
    assert "was not accepted" in page.locator(".error").inner_text()
    page.screenshot(path="var/screenshots/mfa-error.png", full_page=True)
