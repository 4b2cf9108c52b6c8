"""G8: break-glass opens one record for 60 minutes with a reason, alerts directors, is reviewed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from annulus.accounts.breakglass import overdue
from annulus.accounts.models import BreakGlass, Role
from annulus.audit.models import AuditEvent
from annulus.notifications.models import OutboundEmail
from annulus.patients.tests.test_record import make_patient
from annulus.testing import make_staff, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def it_admin(client, clinic):
    sign_in(client, make_staff(clinic, Role.ADMIN))
    return client


def test_without_break_glass_an_admin_cannot_read_a_record(it_admin, clinic):
    patient = make_patient(clinic)
    assert it_admin.get(f"/staff/patients/{patient.pk}/").status_code == 403


def test_a_reason_is_required(it_admin, clinic):
    patient = make_patient(clinic)
    response = it_admin.post(f"/staff/break-glass/patients/{patient.pk}/", {"reason": "x"})
    assert response.status_code == 400
    assert not BreakGlass.objects.exists()


def test_break_glass_opens_one_record_for_an_hour_and_alerts_the_director(it_admin, clinic):
    director = make_staff(clinic, Role.DIRECTOR)
    patient, other = make_patient(clinic), make_patient(clinic, last_name="Other")
    url = f"/staff/break-glass/patients/{patient.pk}/"
    response = it_admin.post(url, {"reason": "Patient collapsed in the waiting room"})
    assert response.status_code == 302
    assert it_admin.get(f"/staff/patients/{patient.pk}/").status_code == 200
    assert it_admin.get(f"/staff/patients/{other.pk}/").status_code == 403
    # Read only: writing still needs the role.
    assert it_admin.post(f"/staff/patients/{patient.pk}/edit/", {}).status_code == 403
    alert = OutboundEmail.objects.get(kind="breakglass.alert")
    assert alert.to == director.email
    assert "Patient collapsed" not in alert.body_text and "Example" not in alert.body_text
    assert AuditEvent.objects.filter(action="access.break_glass", patient_id=patient.pk).exists()
    grant = BreakGlass.objects.get()
    assert grant.expires_at - grant.opened_at == timedelta(minutes=60)
    BreakGlass.objects.filter(pk=grant.pk).update(
        opened_at=timezone.now() - timedelta(minutes=61),
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    assert it_admin.get(f"/staff/patients/{patient.pk}/").status_code == 403


def test_directors_review_and_see_what_is_overdue(client, clinic):
    admin = make_staff(clinic, Role.ADMIN)
    patient = make_patient(clinic)
    now = timezone.now()
    opened = now - timedelta(days=8)
    old = BreakGlass.objects.create(
        user=admin,
        clinic=clinic,
        patient_id=patient.pk,
        reason="an old emergency",
        opened_at=opened,
        expires_at=opened + timedelta(hours=1),
    )
    assert overdue(clinic) == 1
    sign_in(client, admin)
    assert client.get("/staff/break-glass/").status_code == 403  # not a director
    director = make_staff(clinic, Role.DIRECTOR)
    client.post("/accounts/logout/")
    sign_in(client, director)
    page = client.get("/staff/break-glass/").content.decode()
    assert "waited more than 7 days" in page and "an old emergency" in page
    assert (
        client.post("/staff/break-glass/", {"grant": old.pk, "note": "justified"}).status_code
        == 302
    )
    old.refresh_from_db()
    assert old.reviewed_by == director
    assert overdue(clinic) == 0


def test_unreviewed_items_older_than_7_days_show_on_the_directors_home(it_admin, clinic):
    from django.test import Client

    old, recent, reviewed = make_patient(clinic), make_patient(clinic), make_patient(clinic)
    for patient in (old, recent, reviewed):
        it_admin.post(f"/staff/break-glass/patients/{patient.pk}/", {"reason": "Checking a fault"})
    eight_days = timezone.now() - timedelta(days=8)
    for patient in (old, reviewed):
        BreakGlass.objects.filter(patient_id=patient.pk).update(
            opened_at=eight_days, expires_at=eight_days + timedelta(minutes=60)
        )
    BreakGlass.objects.filter(patient_id=reviewed.pk).update(reviewed_at=timezone.now())
    director = sign_in(Client(), make_staff(clinic, Role.DIRECTOR))
    home = director.get("/staff/").content.decode()
    section = home[home.index('id="worklist-breakglass"') :]
    section = section[: section.index("</section>")]
    assert "Emergency access unreviewed for over 7 days (1)" in section
    assert f"patient #{old.pk}," in section
    assert f"patient #{recent.pk}," not in section and f"patient #{reviewed.pk}," not in section
    assert "/staff/break-glass/" in section
    coordinator = sign_in(Client(), make_staff(clinic, Role.COORDINATOR))
    assert 'id="worklist-breakglass"' not in coordinator.get("/staff/").content.decode()


def test_the_alert_links_to_the_review_list_at_the_configured_site_address(
    it_admin, clinic, settings
):
    settings.ANNULUS_SITE_URL = "https://spine.example.org"
    make_staff(clinic, Role.DIRECTOR)
    patient = make_patient(clinic)
    it_admin.post(f"/staff/break-glass/patients/{patient.pk}/", {"reason": "Checking a fault"})
    alert = OutboundEmail.objects.get(kind="breakglass.alert")
    assert "https://spine.example.org/staff/break-glass/" in alert.body_text
