"""A no-show is a follow-up item on the staff worklist until it is rebooked or dismissed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from annulus.accounts.models import Role
from annulus.audit.models import AuditEvent
from annulus.patients.models import Patient
from annulus.scheduling import actions
from annulus.scheduling.tests.factories import as_staff, at, make_schedule, next_weekday
from annulus.testing import make_staff, sign_in

pytestmark = pytest.mark.django_db


def _no_show(clinic, coordinator):
    schedule = make_schedule(clinic)
    patient = Patient.objects.create(clinic=clinic, first_name="Noah", last_name="Absent")
    monday = next_weekday(0)
    booked = actions.staff_create(
        service=schedule.consultation, patient=patient, start=at(monday, 9),
        resource="dr-ames", **as_staff(coordinator),
    )  # fmt: skip
    actions.mark_no_show(booked, **as_staff(coordinator), now=at(monday, 9, 20))
    return schedule, patient, booked


def _section(client):
    html = client.get("/staff/").content.decode()
    return html.split("No-shows to follow up")[1].split("</section>")[0]


def test_a_no_show_stays_on_the_worklist_until_dismissed(client, clinic):
    coordinator = make_staff(clinic, Role.COORDINATOR)
    _schedule, _patient, booked = _no_show(clinic, coordinator)
    sign_in(client, coordinator)
    assert "Absent, Noah" in _section(client) or "Noah Absent" in _section(client)
    done = client.post(f"/staff/calendar/appointments/{booked.pk}/follow-up/dismiss/")
    assert done.status_code == 302
    assert "Absent" not in _section(client)
    booked.refresh_from_db()
    assert booked.follow_up_outcome == "dismissed"
    assert AuditEvent.objects.filter(action="appointment.follow_up_dismissed").count() == 1
    # Dismissing twice changes nothing and records nothing more.
    client.post(f"/staff/calendar/appointments/{booked.pk}/follow-up/dismiss/")
    assert AuditEvent.objects.filter(action="appointment.follow_up_dismissed").count() == 1


def test_rebooking_the_patient_closes_the_follow_up(client, clinic):
    coordinator = make_staff(clinic, Role.COORDINATOR)
    schedule, patient, booked = _no_show(clinic, coordinator)
    sign_in(client, coordinator)
    assert "Absent" in _section(client)
    actions.staff_create(
        service=schedule.consultation, patient=patient,
        start=at(next_weekday(0) + timedelta(days=7), 10), **as_staff(coordinator),
    )  # fmt: skip
    booked.refresh_from_db()
    assert booked.follow_up_outcome == "rebooked"
    assert "Absent" not in _section(client)


def test_only_a_no_show_has_a_follow_up_to_dismiss(clinic):
    coordinator = make_staff(clinic, Role.COORDINATOR)
    schedule = make_schedule(clinic)
    patient = Patient.objects.create(clinic=clinic, first_name="Ann", last_name="Here")
    booked = actions.staff_create(
        service=schedule.consultation, patient=patient, start=at(next_weekday(0), 9),
        **as_staff(coordinator),
    )  # fmt: skip
    with pytest.raises(actions.NotAllowed):
        actions.dismiss_follow_up(booked, **as_staff(coordinator))
