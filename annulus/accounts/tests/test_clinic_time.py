from __future__ import annotations

from datetime import UTC, datetime

import pytest

from annulus.accounts.models import Role
from annulus.accounts.templatetags.clinic_time import clinic_time
from annulus.leads.models import Lead
from annulus.notifications.models import OutboundEmail
from annulus.testing import make_staff, sign_in

WINTER = datetime(2026, 1, 15, 18, 5, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, 18, 5, tzinfo=UTC)


def test_it_shows_a_utc_instant_in_the_clinic_zone_with_its_label():
    assert clinic_time(WINTER, "America/Chicago") == "2026-01-15 12:05 CST"
    assert clinic_time(SUMMER, "America/Chicago") == "2026-07-15 13:05 CDT"
    assert clinic_time(SUMMER, "America/Phoenix") == "2026-07-15 11:05 MST"


def test_it_reads_the_zone_from_a_clinic_and_falls_back_to_utc():
    class Clinic:
        timezone = "America/New_York"

    assert clinic_time(WINTER, Clinic()) == "2026-01-15 13:05 EST"
    assert clinic_time(WINTER, "Not/AZone") == "2026-01-15 18:05 UTC"
    assert clinic_time(WINTER, None) == "2026-01-15 18:05 UTC"
    assert clinic_time(None, "America/Chicago") == ""


@pytest.mark.django_db
def test_the_leads_and_outbox_lists_show_clinic_time(client, clinic):
    sign_in(client, make_staff(clinic, Role.COORDINATOR))
    lead = Lead.objects.create(
        clinic=clinic,
        first_name="Person",
        email="person@example.org",
        consent_wording_version="guide-form-v1",
        consent_given_at=WINTER,
        created_at=WINTER,
    )
    email = OutboundEmail.objects.create(
        clinic=clinic,
        kind="booking.reminder",
        to="person@example.org",
        subject="Reminder",
        body_text="Hello",
        created_at=SUMMER,
    )
    leads = client.get("/staff/leads/").content.decode()
    assert "2026-01-15 12:05 CST" in leads and "18:05" not in leads
    outbox = client.get("/staff/outbox/").content.decode()
    assert "2026-07-15 13:05 CDT" in outbox and "18:05" not in outbox
    detail = client.get(f"/staff/leads/{lead.pk}/").content.decode()
    assert "2026-01-15 12:05 CST" in detail and "18:05" not in detail
    email_page = client.get(f"/staff/outbox/{email.pk}/")
    assert email_page.status_code == 200
