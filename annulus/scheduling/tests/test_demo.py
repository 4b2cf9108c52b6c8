"""The demo seed's scheduling: consultations online every weekday of the next 30 days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from annulus.accounts import demo
from annulus.accounts.models import Clinic, User
from annulus.patients.demo import seed_patients
from annulus.scheduling.availability import find_slots
from annulus.scheduling.demo import seed_scheduling
from annulus.scheduling.models import Appointment, Resource, Service, WeeklyHours

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_base_once(django_db_setup, django_db_blocker):
    """The clinic, its staff and its patients, seeded once for this module's tests in a
    transaction rolled back at its end; each test runs in its own savepoint inside it (the `db`
    fixture), as with setUpTestData. Seeding the patients renders their consent PDFs: seconds.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        clinic = demo.seed_clinic()
        demo.seed_staff(clinic)
        today = datetime.now(UTC).astimezone(clinic.zone).date()
        seed_patients(clinic, User.objects.get(email="clinician@demo.annulus.test"), today)
        yield clinic.pk, today
        transaction.set_rollback(True)


@pytest.fixture
def demo_clinic(demo_base_once, db):
    pk, today = demo_base_once
    return Clinic.objects.get(pk=pk), today


def test_the_demo_offers_consultations_online_on_every_weekday_of_the_next_30_days(demo_clinic):
    clinic, today = demo_clinic
    seed_scheduling(clinic, today)
    consultation = Service.objects.get(clinic=clinic, slug="consultation")
    assert consultation.online_bookable
    now = datetime.now(UTC)
    slots = find_slots(consultation, today, today + timedelta(days=30), now=now)
    days_with_slots = {s.start.astimezone(clinic.zone).date() for s in slots}
    for offset in range(1, 31):
        day = today + timedelta(days=offset)
        if day.weekday() < 5:
            assert day in days_with_slots, f"no consultation on {day:%A %Y-%m-%d}"
    clinician = Resource.objects.get(clinic=clinic, slug="dr-morgan")
    assert clinician.user.email == "clinician@demo.annulus.test"
    assert {r.slug for r in Resource.objects.filter(clinic=clinic)} >= {"procedure-room", "c-arm"}
    procedure = Service.objects.get(clinic=clinic, slug="fibrin-procedure")
    assert procedure.roles.count() == 3  # a clinician, the room and the C-arm at once


def test_seeding_twice_changes_nothing(demo_clinic):
    clinic, today = demo_clinic
    first = seed_scheduling(clinic, today)
    counts = (Appointment.objects.count(), WeeklyHours.objects.count(), Service.objects.count())
    second = seed_scheduling(clinic, today)
    assert counts == (
        Appointment.objects.count(),
        WeeklyHours.objects.count(),
        Service.objects.count(),
    )
    assert first["appointments"] >= 6 and second["appointments"] == 0
    for appointment in Appointment.objects.all():
        assert appointment.occupancies.filter(active=True).exists()
