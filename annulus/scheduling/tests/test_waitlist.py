"""The waitlist: a freed time is offered to the first patient waiting, by an emailed link that
expires in two hours; accepting books it once; expiry passes it to the next; a race is safe."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail  # noqa: F401  (the outbox is read through OutboundEmail)
from django.utils import timezone

from annulus.audit.models import AuditEvent
from annulus.notifications.models import OutboundEmail
from annulus.patients.models import Patient
from annulus.scheduling import actions
from annulus.scheduling.models import Appointment, Status, WaitlistEntry, WaitStatus
from annulus.scheduling.tests.factories import as_staff, at, details, next_weekday

pytestmark = pytest.mark.django_db

MONDAY = next_weekday(0)


def waiting(schedule, n: int, clinician) -> Patient:
    patient = Patient.objects.create(
        clinic=schedule.clinic, first_name=f"Wait{n}", last_name="Er", email=f"wait{n}@example.org"
    )
    actions.join_waitlist(schedule.consultation, patient, **as_staff(clinician))
    return patient


def fill_nine(schedule) -> Appointment:
    """Both clinicians' 9:00 on Monday are booked; returns one of them."""
    first = actions.book_appointment(
        None, service=schedule.consultation, start=at(MONDAY, 9), resource="dr-ames",
        details=details(1),
    )  # fmt: skip
    actions.book_appointment(
        None, service=schedule.consultation, start=at(MONDAY, 9), resource="dr-baker",
        details=details(2),
    )  # fmt: skip
    return first


def offer_token(entry: WaitlistEntry) -> str:
    """The link's token, read back from the email (only its hash is stored)."""
    email = OutboundEmail.objects.filter(kind="waitlist.offer", to=entry.patient.email).latest("id")
    return email.body_text.split("/book/waitlist/")[1].split("/")[0]


def test_a_cancellation_offers_the_time_to_the_first_waiting_by_email(schedule, clinician):
    first_in_line = waiting(schedule, 1, clinician)
    waiting(schedule, 2, clinician)
    booked = fill_nine(schedule)
    actions.cancel(None, booked, base="https://clinic.test")
    entry = WaitlistEntry.objects.get(patient=first_in_line)
    assert entry.status == WaitStatus.OFFERED
    assert entry.offer_start == at(MONDAY, 9)
    assert entry.offer_expires_at - entry.offered_at == timedelta(hours=2)
    email = OutboundEmail.objects.get(kind="waitlist.offer")
    assert email.to == "wait1@example.org"
    assert "https://clinic.test/book/waitlist/" in email.body_text
    # A link, no clinical details: not the service, not the time.
    assert "Consultation" not in email.body_text and "9:00" not in email.body_text
    assert WaitlistEntry.objects.filter(status=WaitStatus.WAITING).count() == 1
    assert AuditEvent.objects.filter(action="waitlist.offered").count() == 1


def test_accepting_books_the_time_once_even_when_clicked_twice(schedule, clinician):
    patient = waiting(schedule, 1, clinician)
    actions.cancel(None, fill_nine(schedule))
    entry = WaitlistEntry.objects.get(patient=patient)
    first = actions.accept_offer(entry.pk, ctx=None)
    again = actions.accept_offer(entry.pk, ctx=None)
    assert first.pk == again.pk
    assert first.patient_id == patient.pk and first.start == at(MONDAY, 9)
    assert first.source == "waitlist"
    assert Appointment.objects.filter(patient=patient).count() == 1
    entry.refresh_from_db()
    assert entry.status == WaitStatus.BOOKED and entry.appointment_id == first.pk


def test_an_expired_offer_passes_to_the_next_waiting(schedule, clinician):
    first_in_line = waiting(schedule, 1, clinician)
    second = waiting(schedule, 2, clinician)
    actions.cancel(None, fill_nine(schedule))
    entry = WaitlistEntry.objects.get(patient=first_in_line)
    later = entry.offer_expires_at + timedelta(seconds=1)
    with pytest.raises(actions.OfferGone, match="expired"):
        actions.accept_offer(entry.pk, ctx=None, now=later)
    assert actions.expire_due(now=later) == 1
    entry.refresh_from_db()
    assert entry.status == WaitStatus.LAPSED
    nxt = WaitlistEntry.objects.get(patient=second)
    assert nxt.status == WaitStatus.OFFERED and nxt.offer_start == at(MONDAY, 9)
    assert OutboundEmail.objects.filter(kind="waitlist.offer", to="wait2@example.org").exists()
    assert actions.accept_offer(nxt.pk, ctx=None, now=later).patient_id == second.pk


def test_an_offer_lapses_before_its_two_hours_only_never(schedule, clinician):
    waiting(schedule, 1, clinician)
    actions.cancel(None, fill_nine(schedule))
    entry = WaitlistEntry.objects.get()
    assert actions.expire_due(now=entry.offer_expires_at - timedelta(seconds=1)) == 0
    assert WaitlistEntry.objects.get().status == WaitStatus.OFFERED


def test_housekeeping_lapses_an_offer_whose_expiry_task_was_lost(schedule, clinician, settings):
    from annulus.lib.tasks import housekeeping

    settings.ANNULUS_SITE_URL = "https://clinic.test"
    waiting(schedule, 1, clinician)
    second = waiting(schedule, 2, clinician)
    actions.cancel(None, fill_nine(schedule))
    # As if the deferred expiry task never ran: the offer is past its two hours.
    WaitlistEntry.objects.filter(status=WaitStatus.OFFERED).update(
        offer_expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert "waitlist offers lapsed 1" in housekeeping()
    assert WaitlistEntry.objects.get(patient=second).status == WaitStatus.OFFERED
    offer = OutboundEmail.objects.get(kind="waitlist.offer", to="wait2@example.org")
    assert "https://clinic.test/book/waitlist/" in offer.body_text
    assert "waitlist offers lapsed 0" in housekeeping()


def test_a_time_taken_while_on_offer_is_refused_and_the_patient_keeps_their_place(
    schedule, clinician
):
    patient = waiting(schedule, 1, clinician)
    booked = fill_nine(schedule)
    actions.cancel(None, booked)
    entry = WaitlistEntry.objects.get(patient=patient)
    # The race: someone books the freed time on the booking page before the patient clicks.
    actions.book_appointment(
        None, service=schedule.consultation, start=at(MONDAY, 9), details=details(3)
    )
    with pytest.raises(actions.OfferGone, match="just been taken"):
        actions.accept_offer(entry.pk, ctx=None)
    entry.refresh_from_db()
    assert entry.status == WaitStatus.WAITING
    assert Appointment.objects.filter(patient=patient).count() == 0
    assert Appointment.objects.active().filter(start=at(MONDAY, 9)).count() == 2


def test_a_move_frees_the_old_time_for_the_waitlist(schedule, clinician):
    patient = waiting(schedule, 1, clinician)
    booked = fill_nine(schedule)
    actions.staff_move(booked, at(MONDAY, 10), **as_staff(clinician))
    entry = WaitlistEntry.objects.get(patient=patient)
    assert entry.status == WaitStatus.OFFERED and entry.offer_start == at(MONDAY, 9)


def test_joining_twice_keeps_one_place(schedule, clinician):
    patient = waiting(schedule, 1, clinician)
    again = actions.join_waitlist(schedule.consultation, patient, **as_staff(clinician))
    assert WaitlistEntry.objects.filter(patient=patient).count() == 1
    assert again.status == WaitStatus.WAITING


def test_nobody_waiting_means_no_offer(schedule):
    actions.cancel(None, fill_nine(schedule))
    assert not OutboundEmail.objects.filter(kind="waitlist.offer").exists()


def test_the_offer_link_swaps_for_a_session_and_books_on_accept(client, schedule, clinician):
    patient = waiting(schedule, 1, clinician)
    actions.cancel(None, fill_nine(schedule))
    entry = WaitlistEntry.objects.get(patient=patient)
    opened = client.get(f"/book/waitlist/{offer_token(entry)}/")
    assert opened.status_code == 302 and opened["Location"] == "/book/waitlist/offer/"
    page = client.get("/book/waitlist/offer/")
    assert page.status_code == 200
    assert "9:00 AM" in page.content.decode()
    done = client.post("/book/waitlist/offer/")
    assert done.status_code == 302
    twice = client.post("/book/waitlist/offer/")  # a double click
    assert twice.status_code == 302
    assert Appointment.objects.filter(patient=patient, status=Status.BOOKED).count() == 1
    assert (
        client.get("/book/waitlist/not-a-real-token-at-all-but-long-enough-000/").status_code == 404
    )


def test_staff_see_the_waitlist_and_add_a_patient(staff_client, schedule):
    patient = Patient.objects.create(clinic=schedule.clinic, first_name="Kim", last_name="Lee")
    added = staff_client.post(
        "/staff/calendar/waitlist/",
        {"service": schedule.consultation.pk, "patient": patient.pk},
    )
    assert added.status_code == 302
    page = staff_client.get("/staff/calendar/waitlist/")
    assert page.status_code == 200
    assert "Lee, Kim" in page.content.decode() or "Kim Lee" in page.content.decode()
    assert AuditEvent.objects.filter(action="waitlist.joined").count() == 1


def test_a_visitor_joins_the_waitlist_from_the_booking_page(client, schedule):
    page = client.get("/book/", {"service": "consultation"})
    assert "/book/waitlist/join/?service=consultation" in page.content.decode()
    form = {
        "service": "consultation",
        "first_name": "Robin",
        "last_name": "Waiting",
        "date_of_birth": "04/23/1975",
        "email": "robin.waiting@example.org",
        "phone": "",
    }
    bad = client.post("/book/waitlist/join/", {**form, "email": "nope"})
    assert bad.status_code == 400 and "Enter an email address" in bad.content.decode()
    assert not WaitlistEntry.objects.exists()
    assert client.post("/book/waitlist/join/", form).status_code == 200
    assert client.post("/book/waitlist/join/", form).status_code == 200  # double submit
    entry = WaitlistEntry.objects.get()
    assert entry.patient.last_name == "Waiting" and entry.status == WaitStatus.WAITING


def test_staff_page_through_the_waitlist_and_filter_it_by_service(staff_client, schedule):
    patients = [
        Patient.objects.create(clinic=schedule.clinic, first_name=f"P{n:03d}", last_name="Wait")
        for n in range(60)
    ]
    for patient in patients:
        actions.join_waitlist(schedule.consultation, patient, **as_staff(None))
    actions.join_waitlist(schedule.extended, patients[0], **as_staff(None))
    first = staff_client.get("/staff/calendar/waitlist/").content.decode()
    assert "61 waiting, page 1 of 2" in first and 'rel="next"' in first
    second = staff_client.get("/staff/calendar/waitlist/", {"page": 2}).content.decode()
    assert "page 2 of 2" in second and second.count("<tr>") == 1 + 11
    only = staff_client.get("/staff/calendar/waitlist/", {"service": "extended"}).content.decode()
    assert "1 waiting" in only and "Extended" in only and only.count("<tr>") == 2


def test_a_place_staff_add_gets_its_own_link_emailed_and_it_leaves_the_place(
    staff_client, client, schedule
):
    """A patient added at the desk may hold no booking whose manage page would show the place:
    they are emailed its own link, which shows it and leaves it. Adding twice sends one email."""
    patient = Patient.objects.create(
        clinic=schedule.clinic, first_name="Kim", last_name="Lee", email="kim.lee@example.org"
    )
    form = {"service": schedule.consultation.pk, "patient": patient.pk}
    added = staff_client.post("/staff/calendar/waitlist/", form, follow=True)
    assert "emailed a link" in added.content.decode()
    staff_client.post("/staff/calendar/waitlist/", form)  # a double click
    email = OutboundEmail.objects.get(kind="waitlist.joined")
    assert email.to == "kim.lee@example.org" and "Consultation" not in email.body_text
    path = urlsplit(next(w for w in email.body_text.split() if "/waitlist/place/" in w)).path
    shown = client.get(path, follow=True)
    assert shown.status_code == 200 and schedule.consultation.name in shown.content.decode()
    entry = WaitlistEntry.objects.get(patient=patient)
    assert entry.manage_token_hash and entry.status == WaitStatus.WAITING
    left = client.post(shown.redirect_chain[-1][0])
    assert left.status_code == 302
    entry.refresh_from_db()
    assert entry.status == WaitStatus.REMOVED


def test_a_place_staff_add_for_a_patient_without_email_says_to_phone(staff_client, schedule):
    patient = Patient.objects.create(clinic=schedule.clinic, first_name="No", last_name="Mail")
    added = staff_client.post(
        "/staff/calendar/waitlist/",
        {"service": schedule.consultation.pk, "patient": patient.pk},
        follow=True,
    )
    assert "tell them by phone" in added.content.decode()
    assert not OutboundEmail.objects.filter(kind="waitlist.joined").exists()
