"""Daylight saving through the database: book every slot of the days the clocks change, read it
back, and find the same instant and the same local wall time. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from annulus.accounts.models import Role
from annulus.scheduling import actions
from annulus.scheduling.availability import find_slots
from annulus.scheduling.forms import local_instant
from annulus.scheduling.models import Appointment, Location, Resource, ResourceKind
from annulus.scheduling.slots import to_local_label
from annulus.scheduling.tests.factories import details, make_service, weekly
from annulus.testing import make_staff

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 1, 4, 12, 0, tzinfo=UTC)
# (zone, spring-forward date, fall-back date); Honolulu keeps one offset all year.
ZONES = [
    ("America/Chicago", date(2027, 3, 14), date(2027, 11, 7)),
    ("America/New_York", date(2027, 3, 14), date(2027, 11, 7)),
    ("Pacific/Honolulu", date(2027, 3, 14), date(2027, 11, 7)),
]


def night_clinic(clinic, tz):
    """A clinician open every day 00:00–04:00 and 08:00–12:00: the hours the clocks change in."""
    location = Location.objects.create(clinic=clinic, slug=f"loc-{tz[-4:]}", name=tz, timezone=tz)
    user = make_staff(clinic, Role.CLINICIAN)
    resource = Resource.objects.create(
        clinic=clinic, location=location, kind=ResourceKind.CLINICIAN, slug=f"dr-{tz[-4:]}",
        name="Dr Night", user=user,
    )  # fmt: skip
    weekly(resource, range(7), (time(0), time(4)), (time(8), time(12)))
    service = make_service(
        clinic, location, f"night-{tz[-4:]}", [("Clinician", [resource])],
        min_notice_minutes=0, max_advance_days=800,
    )  # fmt: skip
    return service


def book_whole_day(service, day):
    slots = find_slots(service, day, day, now=NOW)
    booked = []
    for n, slot in enumerate(slots):
        appointment = actions.book_appointment(
            None, service=service, start=slot.start, details=details(n), now=NOW
        )
        booked.append((slot, appointment.pk))
    return booked


@pytest.mark.parametrize(("tz", "spring", "fall"), ZONES, ids=[z[0] for z in ZONES])
def test_bookings_on_the_days_the_clocks_change_read_back_unchanged(clinic, tz, spring, fall):
    zone = ZoneInfo(tz)
    service = night_clinic(clinic, tz)
    for day in (spring, fall, spring - timedelta(days=1), fall + timedelta(days=1)):
        booked = book_whole_day(service, day)
        assert booked, f"no slots on {day} in {tz}"
        labels = []
        for slot, pk in booked:
            stored = Appointment.objects.get(pk=pk)  # a fresh read from the database
            assert stored.start == slot.start and stored.end == slot.end
            assert stored.start.utcoffset() == timedelta(0)  # read back in UTC
            local_start, local_end = stored.start.astimezone(zone), stored.end.astimezone(zone)
            assert local_start.date() == day
            # Every slot starts on the configured half-hour grid and ends 30 wall minutes later.
            assert local_start.minute in (0, 30) and local_start.second == 0
            wall_minutes = (local_end.hour * 60 + local_end.minute) - (
                local_start.hour * 60 + local_start.minute
            )
            assert wall_minutes == 30
            assert time(0) <= local_start.time() < time(4) or time(8) <= local_start.time()
            labels.append(to_local_label(slot, zone))
        assert len(labels) == len(set(labels)), "two slots share a local label"
        # Nothing left to book: every slot of the day is taken exactly once.
        assert find_slots(service, day, day, now=NOW) == []


def test_spring_forward_offers_no_time_that_does_not_exist(clinic):
    service = night_clinic(clinic, "America/Chicago")
    zone = ZoneInfo("America/Chicago")
    slots = find_slots(service, date(2027, 3, 14), date(2027, 3, 14), now=NOW)
    local = [s.start.astimezone(zone) for s in slots]
    assert not any(t.hour == 2 for t in local)  # 02:00–02:59 does not exist that night
    assert [t.strftime("%H:%M %Z") for t in local if t.hour < 4] == [
        "00:00 CST", "00:30 CST", "01:00 CST", "03:00 CDT", "03:30 CDT",
    ]  # fmt: skip
    # 01:30 CST + 30 minutes is 03:00 CDT: a slot would not end at 02:00 on the wall, so none.


def test_fall_back_resolves_the_repeated_hour_to_its_first_pass(clinic):
    service = night_clinic(clinic, "America/Chicago")
    zone = ZoneInfo("America/Chicago")
    slots = find_slots(service, date(2027, 11, 7), date(2027, 11, 7), now=NOW)
    early = [s.start.astimezone(zone).strftime("%H:%M %Z") for s in slots]
    assert early[:6] == [
        "00:00 CDT",
        "00:30 CDT",
        "01:00 CDT",
        "02:00 CST",
        "02:30 CST",
        "03:00 CST",
    ]
    # Booked and read back, 01:00 is the first pass (06:00 UTC), never the second (07:00 UTC).
    one_am = next(s for s in slots if s.start.astimezone(zone).strftime("%H:%M") == "01:00")
    appointment = actions.book_appointment(
        None, service=service, start=one_am.start, details=details(), now=NOW
    )
    assert Appointment.objects.get(pk=appointment.pk).start == datetime(2027, 11, 7, 6, tzinfo=UTC)


def test_the_database_holds_utc_instants(clinic):
    """What the column holds, read with raw SQL: the UTC instant on both databases."""
    service = night_clinic(clinic, "America/New_York")
    day = date(2027, 11, 7)
    slot = find_slots(service, day, day, now=NOW)[2]  # 01:00 EDT, first pass
    appointment = actions.book_appointment(
        None, service=service, start=slot.start, details=details(), now=NOW
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT start AT TIME ZONE 'UTC', start AT TIME ZONE 'America/New_York' "
                "FROM scheduling_appointment WHERE id = %s",
                [appointment.pk],
            )
            utc_wall, local_wall = cursor.fetchone()
            # PostgreSQL answers `AT TIME ZONE` with wall times (naive): compare them as such.
            assert utc_wall.replace(tzinfo=UTC) == datetime(2027, 11, 7, 5, 0, tzinfo=UTC)
            assert local_wall.replace(tzinfo=UTC) == datetime(2027, 11, 7, 1, 0, tzinfo=UTC)
        else:
            cursor.execute(
                "SELECT start FROM scheduling_appointment WHERE id = %s", [appointment.pk]
            )
            (raw,) = cursor.fetchone()
            assert str(raw).startswith("2027-11-07 05:00:00")


def test_staff_times_in_a_gap_are_refused_and_repeated_times_take_the_first_pass():
    zone = ZoneInfo("America/Chicago")
    assert local_instant(date(2027, 3, 14), time(2, 30), zone) is None
    assert local_instant(date(2027, 11, 7), time(1, 30), zone) == datetime(
        2027, 11, 7, 6, 30, tzinfo=UTC
    )
    assert local_instant(date(2027, 7, 1), time(9), zone) == datetime(2027, 7, 1, 14, tzinfo=UTC)
