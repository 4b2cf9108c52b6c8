"""#17 done-when: on the demo served on a non-default port, a survey email's link (read in the
staff outbox) opens the survey. The link is built from ANNULUS_SITE_URL when the email is made,
as `make demo` sets it from PORT."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone

from annulus.accounts import demo
from annulus.accounts.models import User
from annulus.outcomes.actions import open_invitation
from annulus.outcomes.emails import may_email
from annulus.patients.models import Patient
from annulus.testing import current_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_survey_link_from_the_outbox_opens_the_survey_on_a_non_default_port(
    live_server, page, phone_page, settings
):
    assert urlsplit(live_server.url).port not in (None, 80, 443, 8000)
    settings.ANNULUS_SITE_URL = live_server.url  # what `make demo PORT=…` exports
    call_command("seed_demo", verbosity=0)
    now = timezone.now()
    patient = next(
        p
        for p in Patient.objects.select_related("clinic").order_by("id")
        if may_email(p) and open_invitation(p, now) is not None
    )
    coordinator = User.objects.get(email="coordinator@demo.annulus.test")

    page.goto("/staff/")
    page.get_by_label("Email").fill(coordinator.email)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code").fill(current_totp(coordinator))
    page.get_by_role("button", name="Verify").click()

    # From the record: a fresh link, shown once, and emailed.
    page.goto(f"/staff/patients/{patient.pk}/")
    page.get_by_role("button", name="Issue a fresh survey link to copy").click()
    shown = page.locator("#survey-link").inner_text().strip()
    assert shown.startswith(f"{live_server.url}/survey/")

    # The email as the outbox holds it (queued: the link is removed once it has been sent).
    page.goto(f"/staff/outbox/?q={patient.email}")
    page.locator("tr", has_text="outcomes.survey.invitation").first.get_by_role("link").click()
    body = page.locator("pre.email-body").inner_text()
    found = re.search(r"(https?://\S+/survey/[A-Za-z0-9_-]{20,}/)", body)
    assert found is not None, body
    link = found.group(1)
    assert link == shown

    phone_page.goto(link)
    assert phone_page.url == f"{live_server.url}/survey/"  # the token left the address bar
    assert "Page 1 of" in phone_page.locator("main").inner_text()
