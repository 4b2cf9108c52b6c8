from __future__ import annotations

import pytest

from annulus.accounts.models import Membership, Role
from annulus.audit.models import AuditEvent
from annulus.testing import make_staff, sign_in

pytestmark = pytest.mark.django_db


def test_it_shows_a_colleague_in_the_same_clinic(staff_client, clinic):
    colleague = make_staff(clinic, Role.COORDINATOR)
    membership = Membership.objects.get(user=colleague)
    response = staff_client.get(f"/staff/staff/{membership.pk}/")
    assert response.status_code == 200
    assert colleague.email.encode() in response.content


def test_it_answers_404_and_audits_another_clinics_object(staff_client, clinician, outsider):
    theirs = Membership.objects.get(user=outsider)
    response = staff_client.get(f"/staff/staff/{theirs.pk}/")
    assert response.status_code == 404
    event = AuditEvent.objects.get(action="access.denied")
    assert event.actor == clinician
    assert event.outcome == "denied"
    assert event.details["kind"] == "membership"
    assert event.details["pk"] == str(theirs.pk)


def test_it_lets_only_admins_and_directors_edit_the_clinic(client, clinic, clinician):
    sign_in(client, clinician)
    assert client.get("/staff/clinic/").status_code == 403
    admin = make_staff(clinic, Role.ADMIN)
    client.post("/accounts/logout/")
    sign_in(client, admin)
    assert client.get("/staff/clinic/").status_code == 200


def test_it_validates_clinic_details_and_keeps_the_old_values(client, clinic):
    admin = make_staff(clinic, Role.ADMIN)
    sign_in(client, admin)
    data = {
        "name": "",
        "timezone": "Mars/Olympus",
        "social_links_text": "Facebook http://insecure.example.org",
    }
    response = client.post("/staff/clinic/", data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "This field is required" in body
    assert "Mars/Olympus is not one of the available choices" in body
    assert "https://" in body
    clinic.refresh_from_db()
    assert clinic.name == "Lakeside Spine (test)"


def test_it_saves_clinic_details_and_audits_the_change(client, clinic):
    admin = make_staff(clinic, Role.ADMIN)
    sign_in(client, admin)
    data = {
        "name": "Lakeside Spine",
        "timezone": "America/New_York",
        "phone": "+1 555 0142",
        "social_links_text": "Facebook https://facebook.example.org/lakeside",
    }
    response = client.post("/staff/clinic/", data)
    assert response.status_code == 302
    clinic.refresh_from_db()
    assert clinic.timezone == "America/New_York"
    assert clinic.social_links == [
        {"label": "Facebook", "url": "https://facebook.example.org/lakeside"}
    ]
    assert AuditEvent.objects.filter(action="clinic.settings.updated", clinic=clinic).exists()
