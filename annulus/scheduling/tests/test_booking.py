"""Booking, rescheduling and cancelling through the actions: what is held, stored and sent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from icalendar import Calendar

from annulus.audit.models import AuditEvent
from annulus.notifications.models import OutboundEmail
from annulus.patients.models import Patient
from annulus.scheduling import actions
from annulus.scheduling.availability import find_slots, slot_at
from annulus.scheduling.links import find_by_manage_token, manage_token
from annulus.scheduling.models import Appointment, Occupancy, Source, Status
from annulus.scheduling.tests.conftest import run_worker
from annulus.scheduling.tests.factories import as_staff, at, details, next_weekday
from annulus.testing import audit_actions

pytestmark = pytest.mark.django_db


def book(schedule, start, n=1, service=None, **kw):
    return actions.book_appointment(
        None, service=service or schedule.consultation, start=start, details=details(n), **kw
    )


def test_it_books_a_free_slot_for_the_preferred_clinician(schedule):
    monday = next_weekday(0)
    appointment = book(schedule, at(monday, 9))
    assert appointment.status == Status.BOOKED
    assert appointment.start == at(monday, 9)
    assert appointment.end == at(monday, 9, 30)
    (held,) = appointment.occupancies.all()
    assert held.resource == schedule.ames
    assert (held.start, held.end, held.active) == (at(monday, 9), at(monday, 9, 30), True)


def test_a_procedure_holds_the_clinician_and_the_room_with_its_buffers(schedule, clinician):
    tuesday = next_weekday(1)
    patient = Patient.objects.create(clinic=schedule.clinic, first_name="A", last_name="B")
    staff = as_staff(clinician)
    appointment = actions.staff_create(
        **staff, service=schedule.procedure, patient=patient, start=at(tuesday, 9, 30)
    )
    rows = {o.resource.slug: o for o in appointment.occupancies.select_related("resource")}
    assert set(rows) == {"dr-ames", "procedure-room"}
    for row in rows.values():
        assert row.start == at(tuesday, 9, 15)  # 15 minutes before
        assert row.end == at(tuesday, 11, 30)  # 90 minutes + 30 after
    # The room is taken, so Dr Baker cannot start a procedure in it at 10:00 …
    assert slot_at(schedule.procedure, at(tuesday, 10), now=at(tuesday, 0), staff=True) is None
    # … but can see a patient for a consultation (only a clinician needed).
    assert slot_at(schedule.consultation, at(tuesday, 10), now=at(tuesday, 0)).resource == (
        "dr-baker"
    )


def test_a_second_booking_of_the_same_slot_is_refused_and_stores_nothing(schedule):
    monday = next_weekday(0)
    book(schedule, at(monday, 9), resource="dr-ames")
    before = (Appointment.objects.count(), Patient.objects.count(), OutboundEmail.objects.count())
    with pytest.raises(actions.SlotTaken):
        book(schedule, at(monday, 9), n=2, resource="dr-ames")
    after = (Appointment.objects.count(), Patient.objects.count(), OutboundEmail.objects.count())
    assert after == before


def test_without_a_resource_the_next_clinician_takes_the_slot(schedule):
    monday = next_weekday(0)
    first = book(schedule, at(monday, 9))
    second = book(schedule, at(monday, 9), n=2)
    assert first.occupancies.get().resource == schedule.ames
    assert second.occupancies.get().resource == schedule.baker
    with pytest.raises(actions.SlotTaken):
        book(schedule, at(monday, 9), n=3)


def test_overlapping_services_of_different_lengths_cannot_share_a_clinician(schedule):
    monday = next_weekday(0)
    book(schedule, at(monday, 10), resource="dr-ames")  # 10:00–10:30
    with pytest.raises(actions.SlotTaken):  # 09:30–10:30 (+15 min after)
        book(schedule, at(monday, 9, 30), service=schedule.extended, n=2, resource="dr-ames")
    # 10:30 is back to back with the consultation: allowed ('[)' ranges).
    book(schedule, at(monday, 10, 30), service=schedule.extended, n=3, resource="dr-ames")
    # The extended visit's 15 minutes after (11:30–11:45) keep 11:30 free of other bookings.
    with pytest.raises(actions.SlotTaken):
        book(schedule, at(monday, 11, 30), n=4, resource="dr-ames")


def test_it_creates_a_patient_or_finds_them_by_email_and_date_of_birth(schedule):
    monday = next_weekday(0)
    first = book(schedule, at(monday, 9))
    again = actions.book_appointment(
        None,
        service=schedule.consultation,
        start=at(monday, 10),
        details=details(1, email="ROBIN1@example.org", first_name="Rob"),
    )
    assert again.patient_id == first.patient_id
    assert Patient.objects.get().first_name == "Robin"  # a booking never renames a patient
    someone_else = actions.book_appointment(
        None,
        service=schedule.consultation,
        start=at(monday, 11),
        details=details(1, date_of_birth=details(2).date_of_birth),
    )
    assert someone_else.patient_id != first.patient_id
    assert Patient.objects.filter(clinic=schedule.clinic).count() == 2


@pytest.mark.django_db(transaction=True)
def test_it_emails_the_patient_an_ics_and_tells_staff_without_patient_details(schedule, mailoutbox):
    monday = next_weekday(0)
    appointment = book(schedule, at(monday, 9), base="https://clinic.example")
    run_worker()
    by_kind = {e.kind: e for e in OutboundEmail.objects.all()}
    assert by_kind["booking.confirmation"].status == "sent"
    assert by_kind["booking.staff_new"].status == "sent"
    confirmation = next(m for m in mail.outbox if m.to == ["robin1@example.org"])
    assert "https://clinic.example/book/manage/" in confirmation.body
    assert manage_token(appointment) in confirmation.body
    (name, content, kind) = confirmation.attachments[0]
    assert name.endswith(".ics") and kind == "text/calendar"
    calendar = Calendar.from_ical(content)
    (tz,) = calendar.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "America/Chicago"
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == at(monday, 9)
    assert str(event["dtstart"].params["TZID"]) == "America/Chicago"
    assert "DTSTART;TZID=America/Chicago:" in str(content)  # Django decodes text attachments
    staff = [m for m in mail.outbox if m.to != ["robin1@example.org"]]
    assert {m.to[0] for m in staff} == {"front-desk@lakeside.test", schedule.ames.user.email}
    for message in staff:
        assert "Robin" not in message.body and "Tester" not in message.body
        assert "robin1@example.org" not in message.body


def test_the_manage_link_finds_the_appointment_and_only_its_hash_is_stored(schedule):
    appointment = book(schedule, at(next_weekday(0), 9))
    token = manage_token(appointment)
    assert len(token) >= 43
    assert find_by_manage_token(token) == appointment
    assert token not in str(Appointment.objects.filter(pk=appointment.pk).values().get())
    assert find_by_manage_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None


def test_a_form_token_books_once(schedule):
    monday = next_weekday(0)
    first = book(schedule, at(monday, 9), form_token="t" * 43)
    second = book(schedule, at(monday, 9), form_token="t" * 43)
    assert first.pk == second.pk
    assert Appointment.objects.count() == 1
    assert OutboundEmail.objects.filter(kind="booking.confirmation").count() == 1


@pytest.mark.django_db(transaction=True)
def test_reschedule_moves_the_booking_keeps_the_link_and_sends_a_new_ics(schedule, mailoutbox):
    monday = next_weekday(0)
    appointment = book(schedule, at(monday, 9))
    token = manage_token(appointment)
    moved = actions.reschedule(None, appointment, at(monday, 14), base="https://c.example")
    assert (moved.pk, moved.start, moved.sequence) == (appointment.pk, at(monday, 14), 1)
    assert manage_token(moved) == token
    assert list(Occupancy.objects.values_list("start", flat=True)) == [at(monday, 14)]
    # 09:00 is free again for someone else.
    assert book(schedule, at(monday, 9), n=2, resource="dr-ames").start == at(monday, 9)
    run_worker()
    rescheduled = OutboundEmail.objects.get(kind="booking.rescheduled")
    assert rescheduled.status == "sent"
    message = next(m for m in mail.outbox if "has moved" in m.subject)
    event = Calendar.from_ical(message.attachments[0][1]).walk("VEVENT")[0]
    assert event.decoded("dtstart") == at(monday, 14)
    assert int(event["sequence"]) == 1


def test_a_move_may_overlap_the_appointments_own_old_time(schedule):
    monday = next_weekday(0)
    appointment = book(schedule, at(monday, 9), service=schedule.extended, resource="dr-ames")
    moved = actions.reschedule(None, appointment, at(monday, 9, 30), resource="dr-ames")
    assert moved.start == at(monday, 9, 30)


def test_cancel_frees_the_time_and_cannot_happen_twice(schedule):
    monday = next_weekday(0)
    appointment = book(schedule, at(monday, 9), resource="dr-ames")
    cancelled = actions.cancel(None, appointment)
    assert cancelled.status == Status.CANCELLED
    assert cancelled.cancelled_at is not None
    assert not Occupancy.objects.filter(active=True).exists()
    assert book(schedule, at(monday, 9), n=2, resource="dr-ames").pk != appointment.pk
    with pytest.raises(actions.NotAllowed):
        actions.cancel(None, cancelled)
    with pytest.raises(actions.NotAllowed):
        actions.reschedule(None, cancelled, at(monday, 10))


def test_each_action_writes_one_audit_event_with_no_patient_details(schedule):
    monday = next_weekday(0)
    appointment = book(schedule, at(monday, 9))
    actions.reschedule(None, appointment, at(monday, 10))
    actions.cancel(None, appointment)
    assert audit_actions(object_type="Appointment") == [
        "appointment.booked",
        "appointment.rescheduled",
        "appointment.cancelled",
    ]
    for event in AuditEvent.objects.filter(object_type="Appointment"):
        assert event.patient_id == appointment.patient_id
        assert "Robin" not in str(event.details) and "example.org" not in str(event.details)


def test_arrived_and_no_show_are_one_way_and_need_the_right_moment(schedule, clinician):
    monday = next_weekday(0)
    staff = as_staff(clinician)
    first = book(schedule, at(monday, 9))
    second = book(schedule, at(monday, 10))
    with pytest.raises(actions.NotAllowed):  # not today yet
        actions.mark_arrived(first, **staff, now=at(monday, 0) - timedelta(days=1))
    arrived = actions.mark_arrived(first, **staff, now=at(monday, 8, 50))
    assert (arrived.status, arrived.arrived_at) == (Status.ARRIVED, at(monday, 8, 50))
    with pytest.raises(actions.NotAllowed):
        actions.mark_no_show(arrived, **staff, now=at(monday, 9, 30))
    with pytest.raises(actions.NotAllowed):  # not started yet
        actions.mark_no_show(second, **staff, now=at(monday, 9, 55))
    assert actions.mark_no_show(second, **staff, now=at(monday, 10, 15)).status == Status.NO_SHOW
    # A no-show still held the time: nobody else can be booked into it after the fact.
    assert Occupancy.objects.filter(appointment=second, active=True).exists()


def test_slots_leave_out_booked_times_and_respect_notice(schedule):
    monday = next_weekday(0)
    book(schedule, at(monday, 9), resource="dr-ames")
    book(schedule, at(monday, 9), n=2, resource="dr-baker")
    starts = [s.start for s in find_slots(schedule.consultation, monday, monday, now=at(monday, 0))]
    assert at(monday, 9) not in starts
    assert at(monday, 9, 30) in starts
    assert len(starts) == 13  # 6 in the morning + 8 in the afternoon, less 09:00
    late = find_slots(schedule.consultation, monday, monday, now=at(monday, 12))
    assert min(s.start for s in late) == at(monday, 13)  # an hour's notice from noon


def test_the_source_is_recorded(schedule):
    appointment = book(schedule, at(next_weekday(0), 9), source=Source.API)
    assert appointment.source == "api"


def test_a_booking_that_creates_a_patient_leaves_one_patient_event_and_one_change_record(
    schedule,
):
    from annulus.audit.context import AuditContext
    from annulus.patients.models import ChangeRecord

    monday = next_weekday(0)
    ctx = AuditContext(request_id="req-booking", ip="203.0.113.9")
    appointment = actions.book_appointment(
        ctx, service=schedule.consultation, start=at(monday, 9), details=details(1, phone="")
    )
    patient = appointment.patient
    (change,) = ChangeRecord.objects.filter(patient=patient)
    assert (change.record_type, change.action, change.via_patient_link) == (
        "Patient",
        "create",
        True,
    )
    assert change.changed_by is None
    assert change.changes["email"] == [None, "robin1@example.org"]
    (event,) = AuditEvent.objects.filter(patient_id=patient.pk, object_type="Patient")
    assert (event.action, event.actor, event.request_id) == ("patient.create", None, "req-booking")
    assert "Robin" not in str(event.details) and "example.org" not in str(event.details)
    # The same person books again and gives a phone number: it fills the empty one, through
    # the record's update (one more change record and event), and nothing else changes.
    actions.book_appointment(
        ctx, service=schedule.consultation, start=at(monday, 10), details=details(1)
    )
    patient.refresh_from_db()
    assert patient.phone == "+1 555 0101"
    update = ChangeRecord.objects.get(patient=patient, action="update")
    assert update.changes == {"phone": ["", "+1 555 0101"]} and update.via_patient_link
    assert audit_actions(object_type="Patient") == ["patient.create", "patient.update"]
    # A third booking with the same details changes nothing about the patient.
    actions.book_appointment(
        ctx, service=schedule.consultation, start=at(monday, 11), details=details(1)
    )
    assert ChangeRecord.objects.filter(patient=patient).count() == 2
    assert audit_actions(object_type="Patient") == ["patient.create", "patient.update"]
