"""Waitlist races on the real PostgreSQL server: threads released together, each with its own
connection (see test_concurrency). A double-clicked accept books once; an accept racing a
public booking of the same time leaves exactly one appointment there."""

from __future__ import annotations

import pytest

from annulus.patients.models import Patient
from annulus.scheduling import actions
from annulus.scheduling.models import Appointment, WaitlistEntry, WaitStatus
from annulus.scheduling.tests.factories import as_staff, at, details, next_weekday
from annulus.scheduling.tests.test_concurrency import fire

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

MONDAY = next_weekday(0)


def _offered(schedule, clinician) -> WaitlistEntry:
    patient = Patient.objects.create(
        clinic=schedule.clinic, first_name="Wait", last_name="Er", email="wait@example.org"
    )
    actions.join_waitlist(schedule.consultation, patient, **as_staff(clinician))
    for n, lead in enumerate(("dr-ames", "dr-baker")):
        booked = actions.book_appointment(
            None, service=schedule.consultation, start=at(MONDAY, 9), resource=lead,
            details=details(n + 1),
        )  # fmt: skip
    actions.cancel(None, booked)
    return WaitlistEntry.objects.get(patient=patient, status=WaitStatus.OFFERED)


def test_eight_simultaneous_accepts_book_once(schedule, clinician):
    entry = _offered(schedule, clinician)
    results = fire(8, lambda _i: actions.accept_offer(entry.pk, ctx=None))
    assert all(isinstance(r, Appointment) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Appointment.objects.filter(patient=entry.patient).count() == 1


def test_an_accept_racing_a_public_booking_leaves_one_appointment(schedule, clinician):
    entry = _offered(schedule, clinician)

    def work(i: int) -> object:
        if i == 0:
            return actions.accept_offer(entry.pk, ctx=None)
        return actions.book_appointment(
            None, service=schedule.consultation, start=at(MONDAY, 9), details=details(9)
        )

    results = fire(2, work)
    booked_at_nine = Appointment.objects.active().filter(start=at(MONDAY, 9)).count()
    assert booked_at_nine == 2  # the one kept by the other clinician, and exactly one more
    won = [r for r in results if isinstance(r, Appointment)]
    lost = [r for r in results if not isinstance(r, Appointment)]
    assert len(won) == 1 and len(lost) == 1
    assert isinstance(lost[0], actions.OfferGone | actions.SlotTaken)
    entry.refresh_from_db()
    assert entry.status in (WaitStatus.BOOKED, WaitStatus.WAITING)


def test_eight_simultaneous_accepts_move_a_later_booking_once(schedule):
    """The patient holds a later booking: every click gets the one booking, moved once."""
    later = actions.book_appointment(
        None, service=schedule.consultation, start=at(MONDAY, 14), details=details(7)
    )
    actions.join_from_booking(later, ctx=None)
    for n, lead in enumerate(("dr-ames", "dr-baker")):
        booked = actions.book_appointment(
            None, service=schedule.consultation, start=at(MONDAY, 9), resource=lead,
            details=details(n + 1),
        )  # fmt: skip
    actions.cancel(None, booked)
    entry = WaitlistEntry.objects.get(patient=later.patient, status=WaitStatus.OFFERED)
    results = fire(8, lambda _i: actions.accept_offer(entry.pk, ctx=None))
    assert all(isinstance(r, Appointment) for r in results), results
    assert {r.pk for r in results} == {later.pk}
    held = Appointment.objects.filter(patient=later.patient)
    assert [(a.start, a.status, a.sequence) for a in held] == [(at(MONDAY, 9), "booked", 1)]
