"""The staff calendar: day and week per location and per resource, with each patient's stage;
create, move, cancel, arrived and no-show; another clinic's appointments are a 404."""

from __future__ import annotations

from datetime import timedelta

import pytest

from annulus.accounts.models import Role
from annulus.audit.models import AuditEvent
from annulus.notifications.models import OutboundEmail
from annulus.patients.models import Patient, Stage
from annulus.scheduling import actions
from annulus.scheduling.models import Appointment, Occupancy, Status
from annulus.scheduling.tests.factories import at, details, next_weekday
from annulus.testing import make_staff, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(schedule):
    monday = next_weekday(0)
    first = actions.book_appointment(
        None, service=schedule.consultation, start=at(monday, 9), details=details(1)
    )
    second = actions.book_appointment(
        None, service=schedule.consultation, start=at(monday, 9), details=details(2)
    )
    Patient.objects.filter(pk=second.patient_id).update(stage=Stage.WORK_UP)
    return monday, first, second


def test_the_day_view_shows_each_resource_with_its_appointments_and_stages(staff_client, booked):
    monday, _, _ = booked
    response = staff_client.get(f"/staff/calendar/?date={monday}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dr Ames" in html and "Dr Baker" in html and "Procedure room" in html
    assert "Tester1, Robin" in html and "Tester2, Robin" in html
    assert "Stage: New" in html and "Stage: Work-up" in html
    assert "09:00–09:30" in html
    assert "09:00–12:00, 13:00–17:00" in html  # opening hours per resource
    assert AuditEvent.objects.filter(action="calendar.viewed").exists()


def test_the_day_view_for_one_resource_shows_only_its_appointments(staff_client, booked):
    monday, _, _ = booked
    html = staff_client.get(f"/staff/calendar/?date={monday}&resource=dr-baker").content.decode()
    assert "Tester2, Robin" in html
    assert "Tester1, Robin" not in html


def test_the_week_view_per_location_and_per_resource(staff_client, booked):
    monday, _, _ = booked
    wednesday = monday + timedelta(days=2)
    html = staff_client.get(f"/staff/calendar/?view=week&date={wednesday}").content.decode()
    assert "Week of" in html
    assert html.count('<th scope="row">') == 3  # one row per resource
    assert "Tester1, Robin" in html and "Stage: Work-up" in html
    one = staff_client.get(f"/staff/calendar/?view=week&date={monday}&resource=dr-ames")
    assert one.content.decode().count('<th scope="row">') == 1
    assert "Tester2, Robin" not in one.content.decode()


def test_staff_create_an_appointment_from_the_calendar(staff_client, schedule):
    patient = Patient.objects.create(
        clinic=schedule.clinic, first_name="Kim", last_name="Lee", email="kim@example.org"
    )
    tuesday = next_weekday(1)
    form = {
        "service": schedule.procedure.pk,
        "patient": patient.pk,
        "day": tuesday.isoformat(),
        "at": "09:30",
        "resource": "dr-baker",
        "mode": "in_person",
    }
    response = staff_client.post("/staff/calendar/new/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    appointment = Appointment.objects.get()
    assert appointment.start == at(tuesday, 9, 30)
    assert appointment.source == "staff"
    assert set(appointment.occupancies.values_list("resource__slug", flat=True)) == {
        "dr-baker",
        "procedure-room",
    }
    assert OutboundEmail.objects.filter(kind="booking.confirmation", to="kim@example.org").exists()
    # The room is now taken: the same time with the other clinician is refused, with a message.
    again = staff_client.post("/staff/calendar/new/", {**form, "resource": "dr-ames"})
    assert again.status_code == 409
    assert "Taken: another appointment already holds" in again.content.decode()


def test_staff_can_book_outside_opening_hours_when_they_say_so(staff_client, schedule):
    patient = Patient.objects.create(clinic=schedule.clinic, first_name="Kim", last_name="Lee")
    monday = next_weekday(0)
    form = {
        "service": schedule.consultation.pk,
        "patient": patient.pk,
        "day": monday.isoformat(),
        "at": "17:30",
        "mode": "in_person",
    }
    refused = staff_client.post("/staff/calendar/new/", form)
    assert refused.status_code == 422
    assert "outside opening hours" in refused.content.decode()
    allowed = staff_client.post("/staff/calendar/new/", {**form, "outside_hours": "on"})
    assert allowed.status_code == 302
    assert Appointment.objects.get().start == at(monday, 17, 30)


def test_a_staff_time_that_does_not_exist_is_refused(staff_client, schedule):
    patient = Patient.objects.create(clinic=schedule.clinic, first_name="Kim", last_name="Lee")
    form = {
        "service": schedule.consultation.pk,
        "patient": patient.pk,
        "day": "2027-03-14",
        "at": "02:30",
        "mode": "in_person",
        "outside_hours": "on",
    }
    response = staff_client.post("/staff/calendar/new/", form)
    assert "does not exist on that date" in response.content.decode()
    assert not Appointment.objects.exists()


def test_staff_move_and_cancel_from_the_appointment_page(staff_client, booked):
    monday, first, _ = booked
    page = staff_client.get(f"/staff/calendar/appointments/{first.pk}/")
    assert page.status_code == 200
    assert "Stage: New" in page.content.decode()
    moved = staff_client.post(
        f"/staff/calendar/appointments/{first.pk}/move/",
        {"day": monday.isoformat(), "at": "15:00", "resource": "dr-ames"},
    )
    assert moved.status_code == 302
    first.refresh_from_db()
    assert first.start == at(monday, 15)
    assert OutboundEmail.objects.filter(kind="booking.rescheduled").exists()
    staff_client.post(
        f"/staff/calendar/appointments/{first.pk}/cancel/", {"reason": "patient_request"}
    )
    first.refresh_from_db()
    assert first.status == Status.CANCELLED
    assert not Occupancy.objects.filter(appointment=first, active=True).exists()
    assert AuditEvent.objects.filter(action="appointment.cancelled", details__by="staff").exists()


def test_arrived_and_no_show_from_the_appointment_page(staff_client, booked):
    _, first, second = booked
    for appointment in (first, second):  # both happen to be today now
        Appointment.objects.filter(pk=appointment.pk).update(
            start=appointment.start - (appointment.start - _now()) - timedelta(minutes=5),
            end=appointment.end - (appointment.start - _now()) - timedelta(minutes=5),
        )
    staff_client.post(f"/staff/calendar/appointments/{first.pk}/arrived/")
    staff_client.post(f"/staff/calendar/appointments/{second.pk}/no-show/")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Status.ARRIVED, Status.NO_SHOW)
    # Once only: a second click changes nothing and says why.
    again = staff_client.post(f"/staff/calendar/appointments/{first.pk}/no-show/", follow=True)
    assert "Only a booked appointment can be marked." in again.content.decode()
    first.refresh_from_db()
    assert first.status == Status.ARRIVED


def _now():
    from django.utils import timezone

    return timezone.now()


def test_another_clinics_appointment_is_a_404_and_audited(client, booked, outsider):
    _, first, _ = booked
    sign_in(client, outsider)
    for url in (
        f"/staff/calendar/appointments/{first.pk}/",
        f"/staff/calendar/appointments/{first.pk}/cancel/",
    ):
        response = client.get(url) if url.endswith(f"{first.pk}/") else client.post(url)
        assert response.status_code == 404
    first.refresh_from_db()
    assert first.status == Status.BOOKED
    assert (
        AuditEvent.objects.filter(action="access.denied", details__kind="appointment").count() == 2
    )
    # Their calendar shows none of this clinic's patients.
    assert "Tester1" not in client.get("/staff/calendar/").content.decode()


def test_an_administrator_neither_sees_nor_changes_the_calendar(client, booked, clinic):
    _, first, _ = booked
    admin = make_staff(clinic, Role.ADMIN)
    sign_in(client, admin)
    # Minimum necessary (accounts/permissions.yaml): IT administration sees no patients.
    assert client.get("/staff/calendar/").status_code == 403
    assert client.post(f"/staff/calendar/appointments/{first.pk}/cancel/").status_code == 403
    first.refresh_from_db()
    assert first.status == Status.BOOKED


def test_the_calendar_is_staff_only(client, booked):
    assert client.get("/staff/calendar/").status_code == 302
