"""Waiting for an earlier time: a patient joins from their booking's manage page ("tell me if
an earlier time opens"), and accepting the offer moves that booking to the earlier time, so
they hold one booking, never two. Bookings of other services stay as they are."""

from __future__ import annotations

from datetime import timedelta

import pytest

from annulus.audit.models import AuditEvent
from annulus.notifications.models import OutboundEmail
from annulus.patients.models import Patient
from annulus.scheduling import actions
from annulus.scheduling.links import manage_token, manage_url
from annulus.scheduling.models import Appointment, Status, WaitlistEntry, WaitStatus
from annulus.scheduling.tests.factories import as_staff, at, details, next_weekday

pytestmark = pytest.mark.django_db

MONDAY = next_weekday(0)
WEDNESDAY = MONDAY + timedelta(days=2)
BASE = "https://clinic.test"


def later_booking(schedule, service=None, n: int = 5, hour: int = 10) -> Appointment:
    return actions.book_appointment(
        None,
        service=service or schedule.consultation,
        start=at(WEDNESDAY, hour),
        details=details(n),
        base=BASE,
    )


def free_monday_nine(schedule) -> None:
    """Both clinicians' Monday 9:00 are booked by others; one of them cancels."""
    first = actions.book_appointment(
        None, service=schedule.consultation, start=at(MONDAY, 9), resource="dr-ames",
        details=details(1),
    )  # fmt: skip
    actions.book_appointment(
        None, service=schedule.consultation, start=at(MONDAY, 9), resource="dr-baker",
        details=details(2),
    )  # fmt: skip
    actions.cancel(None, first, base=BASE)


def open_manage_page(client, appointment: Appointment) -> str:
    client.get(f"/book/manage/{manage_token(appointment)}/")
    return client.get("/book/appointment/").content.decode()


# --- accepting moves the later booking ---------------------------------------------------------


def test_accepting_an_earlier_time_moves_the_later_booking(schedule):
    later = later_booking(schedule)
    link = manage_url(later, BASE)
    actions.join_from_booking(later, ctx=None)
    free_monday_nine(schedule)
    entry = WaitlistEntry.objects.get(patient=later.patient)
    assert entry.status == WaitStatus.OFFERED and entry.offer_start == at(MONDAY, 9)
    offer = OutboundEmail.objects.get(kind="waitlist.offer")
    assert "Booking it moves the appointment you already have" in offer.body_text
    OutboundEmail.objects.all().delete()

    booked = actions.accept_offer(entry.pk, ctx=None, base=BASE)
    again = actions.accept_offer(entry.pk, ctx=None, base=BASE)  # a double click
    assert booked.pk == again.pk == later.pk  # the same booking, moved: one booking
    mine = Appointment.objects.filter(patient=later.patient)
    assert [(a.start, a.status) for a in mine] == [(at(MONDAY, 9), Status.BOOKED)]
    assert mine.get().sequence == later.sequence + 1  # the calendar entry updates
    assert manage_url(mine.get(), BASE) == link  # the link they have keeps working

    # One email, "has moved", with the new time and the same link: no cancellation and no
    # second confirmation that would read like two visits.
    emails = list(OutboundEmail.objects.filter(to=later.patient.email))
    assert [e.kind for e in emails] == ["booking.rescheduled"]
    assert "has moved" in emails[0].subject and "9:00 AM" in emails[0].subject
    assert link in emails[0].body_text
    moved = AuditEvent.objects.get(action="appointment.rescheduled")
    assert moved.object_id == str(later.pk)
    accepted = AuditEvent.objects.get(action="waitlist.accepted")
    assert accepted.details["moved_booking"] is True


def test_the_offer_page_says_the_booking_moved(client, schedule):
    later = later_booking(schedule)
    open_manage_page(client, later)
    client.post("/book/appointment/waitlist/join/")
    free_monday_nine(schedule)
    offer = OutboundEmail.objects.get(kind="waitlist.offer", to=later.patient.email)
    token = offer.body_text.split("/book/waitlist/")[1].split("/")[0]
    client.get(f"/book/waitlist/{token}/")
    offer_page = client.get("/book/waitlist/offer/").content.decode()
    assert "Booking it moves your appointment of Wednesday" in offer_page
    accepted = client.post("/book/waitlist/offer/")
    assert accepted.status_code == 302 and accepted["Location"].endswith("?moved=1")
    assert client.post("/book/waitlist/offer/")["Location"].endswith("?moved=1")  # twice
    page = client.get(accepted["Location"]).content.decode()
    assert "Your appointment has moved" in page and "You are booked" not in page
    assert Appointment.objects.filter(patient=later.patient).count() == 1


def test_the_time_the_move_frees_goes_to_the_next_patient_waiting(schedule, clinician):
    later = later_booking(schedule)
    actions.join_from_booking(later, ctx=None)
    other = Patient.objects.create(
        clinic=schedule.clinic, first_name="Next", last_name="Er", email="next@example.org"
    )
    actions.join_waitlist(schedule.consultation, other, **as_staff(clinician))
    free_monday_nine(schedule)
    entry = WaitlistEntry.objects.get(patient=later.patient)
    actions.accept_offer(entry.pk, ctx=None, base=BASE)
    nxt = WaitlistEntry.objects.get(patient=other)
    assert nxt.status == WaitStatus.OFFERED and nxt.offer_start == at(WEDNESDAY, 10)


def test_only_the_same_services_booking_is_replaced(schedule):
    consultation = later_booking(schedule)
    extended = later_booking(schedule, schedule.extended, hour=14)
    assert extended.patient_id == consultation.patient_id
    actions.join_from_booking(consultation, ctx=None)
    free_monday_nine(schedule)
    entry = WaitlistEntry.objects.get(patient=consultation.patient)
    actions.accept_offer(entry.pk, ctx=None, base=BASE)
    extended.refresh_from_db()
    assert extended.status == Status.BOOKED and extended.start == at(WEDNESDAY, 14)
    booked = Appointment.objects.filter(patient=consultation.patient, status=Status.BOOKED)
    assert sorted((a.service.slug, a.start) for a in booked) == [
        ("consultation", at(MONDAY, 9)),
        ("extended", at(WEDNESDAY, 14)),
    ]


def test_without_a_later_booking_accepting_books_a_new_appointment(schedule, clinician):
    patient = Patient.objects.create(
        clinic=schedule.clinic, first_name="New", last_name="Er", email="new@example.org"
    )
    actions.join_waitlist(schedule.consultation, patient, **as_staff(clinician))
    free_monday_nine(schedule)
    entry = WaitlistEntry.objects.get(patient=patient)
    booked = actions.accept_offer(entry.pk, ctx=None, base=BASE)
    assert booked.source == "waitlist" and booked.start == at(MONDAY, 9)
    offer = OutboundEmail.objects.get(kind="waitlist.offer", to="new@example.org")
    assert "moves the appointment" not in offer.body_text
    kinds = OutboundEmail.objects.filter(to="new@example.org").values_list("kind", flat=True)
    assert sorted(kinds) == ["booking.confirmation", "waitlist.offer"]
    assert AuditEvent.objects.get(action="waitlist.accepted").details["moved_booking"] is False


def test_a_patient_holding_an_earlier_time_is_not_offered_a_later_one(schedule, clinician):
    """They wait for an earlier time than theirs: a later one passes to the next patient."""
    early = actions.book_appointment(
        None, service=schedule.consultation, start=at(MONDAY, 11), details=details(5)
    )
    actions.join_from_booking(early, ctx=None)
    other = Patient.objects.create(
        clinic=schedule.clinic, first_name="Next", last_name="Er", email="next@example.org"
    )
    actions.join_waitlist(schedule.consultation, other, **as_staff(clinician))
    cancelled = later_booking(schedule, n=7)
    actions.cancel(None, cancelled, base=BASE)  # frees Wednesday 10:00, later than Monday 11:00
    assert WaitlistEntry.objects.get(patient=early.patient).status == WaitStatus.WAITING
    assert WaitlistEntry.objects.get(patient=other).status == WaitStatus.OFFERED


def test_a_move_refused_at_accept_keeps_the_booking_and_the_place(schedule):
    later = later_booking(schedule)
    actions.join_from_booking(later, ctx=None)
    free_monday_nine(schedule)
    entry = WaitlistEntry.objects.get(patient=later.patient)
    actions.book_appointment(
        None, service=schedule.consultation, start=at(MONDAY, 9), details=details(3)
    )  # someone took the freed time first
    with pytest.raises(actions.OfferGone, match="just been taken"):
        actions.accept_offer(entry.pk, ctx=None, base=BASE)
    later.refresh_from_db()
    assert later.status == Status.BOOKED and later.start == at(WEDNESDAY, 10)
    entry.refresh_from_db()
    assert entry.status == WaitStatus.WAITING


# --- joining from the manage page --------------------------------------------------------------


def test_the_manage_page_joins_the_waitlist_for_an_earlier_time(client, schedule):
    later = later_booking(schedule)
    page = open_manage_page(client, later)
    assert "Tell me if an earlier time opens" in page
    joined = client.post("/book/appointment/waitlist/join/")
    assert joined.status_code == 302 and joined["Location"].endswith("?joined=1")
    twice = client.post("/book/appointment/waitlist/join/")  # a double submit
    assert twice.status_code == 302
    entry = WaitlistEntry.objects.get()
    assert entry.patient_id == later.patient_id and entry.service == schedule.consultation
    assert entry.status == WaitStatus.WAITING and entry.joined_by is None
    joined_event = AuditEvent.objects.get(action="waitlist.joined")
    assert joined_event.details == {"service": "consultation", "by": "patient"}
    page = client.get(joined["Location"]).content.decode()
    assert "If an earlier time opens, we email you a link to book it." in page
    assert "Your place on the waitlist" in page
    assert "Tell me if an earlier time opens" not in page  # already waiting


def test_the_join_needs_the_manage_links_session(client, schedule):
    assert client.post("/book/appointment/waitlist/join/").status_code == 404
    assert client.get("/book/appointment/waitlist/join/").status_code == 405
    assert not WaitlistEntry.objects.exists()


def test_no_join_for_a_cancelled_booking_or_a_staff_only_service(client, schedule):
    later = later_booking(schedule)
    actions.cancel(None, later)
    assert "Tell me if an earlier time opens" not in open_manage_page(client, later)
    client.post("/book/appointment/waitlist/join/")
    assert not WaitlistEntry.objects.exists()

    staff_only = later_booking(schedule, n=6, hour=11)
    schedule.consultation.online_bookable = False  # now booked by staff only
    schedule.consultation.save(update_fields=["online_bookable"])
    assert "Tell me if an earlier time opens" not in open_manage_page(client, staff_only)
    client.post("/book/appointment/waitlist/join/")
    assert not WaitlistEntry.objects.exists()


def test_the_manage_page_join_is_in_spanish(client, schedule):
    later = later_booking(schedule)
    client.get(f"/book/manage/{manage_token(later)}/")
    page = client.get("/es/book/appointment/").content.decode()
    assert "Avísenme si se libera un horario antes" in page


def test_the_manage_page_join_is_rate_limited(client, schedule, rate_limits):
    later = later_booking(schedule)
    client.get(f"/book/manage/{manage_token(later)}/")
    codes = [client.post("/book/appointment/waitlist/join/").status_code for _ in range(11)]
    assert codes[:10] == [302] * 10 and codes[10] == 429
    assert WaitlistEntry.objects.count() == 1
