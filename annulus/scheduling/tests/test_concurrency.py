"""No double booking under real concurrency, on the real PostgreSQL server.

Threads start together at a barrier, each with its own database connection (Django's
connections are per thread), so their transactions truly overlap. Through the actions (and
over HTTP) the per-resource locks queue them and the re-check refuses all but one; the last
tests take the application away and show the exclusion constraint alone still admits one.
"""

from __future__ import annotations

import http.client
import json
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import IntegrityError, connection, transaction

from annulus.patients.models import Patient
from annulus.scheduling import actions
from annulus.scheduling.models import Appointment, IdempotencyKey, Occupancy
from annulus.scheduling.tests.factories import (
    as_staff,
    at,
    details,
    next_weekday,
    patient_json,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def fire(n: int, work: Callable[[int], Any]) -> list[Any]:
    """Run work(0..n-1) in n threads released at the same moment; exceptions are returned."""
    barrier = threading.Barrier(n, timeout=60)

    def run(i: int) -> Any:
        try:
            barrier.wait()
            return work(i)
        except Exception as exc:  # collected, so the test can count outcomes
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def http_post(base: str, path: str, body: dict[str, Any], headers: dict[str, str]) -> tuple:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    try:
        conn.request(
            "POST", path, json.dumps(body), {"Content-Type": "application/json", **headers}
        )
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.fixture
def http_server(transactional_db: Any) -> Any:
    """A live server like pytest-django's, with a listen backlog deep enough for 50 clients
    connecting at once (Django's test server keeps 10, and the kernel resets the rest)."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread, ThreadedWSGIServer

    class WideServer(ThreadedWSGIServer):
        request_queue_size = 128

    class Thread(LiveServerThread):
        server_class = WideServer

    thread = Thread("127.0.0.1", StaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()


def outcome(result: Any) -> str:
    if isinstance(result, Appointment):
        return "booked"
    return type(result).__name__


def test_fifty_concurrent_http_requests_for_one_slot_book_it_exactly_once(http_server, schedule):
    start = at(next_weekday(0), 9).isoformat()

    def request(i: int) -> int:
        body = {
            "service": "consultation",
            "start": start,
            "resource": "dr-ames",
            "patient": patient_json(i),
        }
        status, _ = http_post(http_server, "/api/v1/bookings", body, {})
        return status

    statuses = fire(50, request)
    assert Counter(statuses) == {201: 1, 409: 49}, Counter(statuses)
    assert Appointment.objects.count() == 1
    assert Occupancy.objects.filter(active=True).count() == 1
    assert Patient.objects.count() == 1  # the 49 refused requests left no patient behind


@pytest.mark.parametrize("round_", range(3))
def test_fifty_concurrent_bookings_of_one_slot_succeed_once_every_time(schedule, round_):
    start = at(next_weekday(0), 9 + round_)

    def book(i: int) -> Any:
        return actions.book_appointment(
            None,
            service=schedule.consultation,
            start=start,
            resource="dr-ames",
            details=details(i),
        )

    results = Counter(outcome(r) for r in fire(50, book))
    assert results == {"booked": 1, "SlotTaken": 49}, results


def test_overlapping_services_of_different_lengths_never_share_the_clinician(schedule):
    """25 ask for a 30-minute consultation at 10:00, 25 for a 60-minute visit at 09:30: the
    slots are different, so only the exclusion over time ranges can keep them apart."""
    monday = next_weekday(0)

    def book(i: int) -> Any:
        service, start = (
            (schedule.consultation, at(monday, 10))
            if i % 2
            else (schedule.extended, at(monday, 9, 30))
        )
        return actions.book_appointment(
            None, service=service, start=start, resource="dr-ames", details=details(i)
        )

    results = fire(50, book)
    assert Counter(outcome(r) for r in results) == {"booked": 1, "SlotTaken": 49}
    (held,) = Occupancy.objects.filter(active=True, resource=schedule.ames)
    assert held.appointment.service.slug in ("consultation", "extended")


def test_procedures_with_different_clinicians_never_share_the_room(schedule, clinician):
    tuesday = next_weekday(1)
    patient = Patient.objects.create(clinic=schedule.clinic, first_name="A", last_name="B")

    def book(i: int) -> Any:
        lead, start = ("dr-ames", at(tuesday, 9, 30)) if i % 2 else ("dr-baker", at(tuesday, 10))
        return actions.staff_create(
            **as_staff(clinician),
            service=schedule.procedure,
            patient=patient,
            start=start,
            resource=lead,
        )

    results = Counter(outcome(r) for r in fire(20, book))
    assert results == {"booked": 1, "SlotTaken": 19}, results
    assert Occupancy.objects.filter(active=True, resource=schedule.room).count() == 1


def _appointments(schedule: Any, n: int) -> list[Appointment]:
    """n bare appointments (no holdings yet), to hang raw occupancy rows on."""
    from annulus.lib.tokens import token_hash
    from annulus.scheduling.links import manage_token_for_salt, new_salt

    patient = Patient.objects.create(clinic=schedule.clinic, first_name="A", last_name="B")
    friday = next_weekday(4)
    made = []
    for _ in range(n):
        salt = new_salt()
        made.append(
            Appointment.objects.create(
                clinic=schedule.clinic,
                location=schedule.location,
                service=schedule.consultation,
                patient=patient,
                start=at(friday, 9),
                end=at(friday, 9, 30),
                source="staff",
                manage_salt=salt,
                manage_token_hash=token_hash(manage_token_for_salt(salt)),
            )
        )
    return made


def _raw_insert(appointment_id: int, resource_id: int, start: Any, end: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO scheduling_occupancy "
            '(appointment_id, resource_id, role_position, start, "end", active) '
            "VALUES (%s, %s, 1, %s, %s, true)",
            [appointment_id, resource_id, start, end],
        )


def test_the_constraint_refuses_an_overlapping_insert_from_any_code_path(schedule):
    monday = next_weekday(0)
    actions.book_appointment(
        None, service=schedule.consultation, start=at(monday, 9), resource="dr-ames",
        details=details(1),
    )  # fmt: skip
    (other,) = _appointments(schedule, 1)
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        _raw_insert(other.pk, schedule.ames.pk, at(monday, 9, 15), at(monday, 9, 45))
    assert "occupancy_no_double_booking" in str(caught.value)
    # Back to back is not an overlap ('[)' bounds) …
    _raw_insert(other.pk, schedule.ames.pk, at(monday, 9, 30), at(monday, 10))
    # … and a cancelled (inactive) holding frees its time.
    Occupancy.objects.filter(resource=schedule.ames, start=at(monday, 9)).update(active=False)
    _raw_insert(other.pk, schedule.room.pk, at(monday, 9), at(monday, 9, 30))


def test_the_constraint_alone_admits_one_of_fifty_racing_inserts(schedule):
    """No lock and no re-check: fifty raw inserts of overlapping holdings of one resource, each
    in its own transaction. PostgreSQL lets exactly one commit; every other one is refused by
    the constraint (or, checking after its own insert, dies as a deadlock victim)."""
    appointments = _appointments(schedule, 50)
    monday = next_weekday(0)

    def insert(i: int) -> str:
        try:
            with transaction.atomic():
                minutes = i % 3 * 10  # 09:00, 09:10, 09:20: different but overlapping
                _raw_insert(
                    appointments[i].pk,
                    schedule.baker.pk,
                    at(monday, 9, minutes),
                    at(monday, 9, minutes) + (at(monday, 9, 30) - at(monday, 9)),
                )
        except IntegrityError as exc:
            return "refused" if "occupancy_no_double_booking" in str(exc) else repr(exc)
        except Exception as exc:
            return "deadlock" if getattr(exc.__cause__, "sqlstate", "") == "40P01" else repr(exc)
        return "inserted"

    results = Counter(fire(50, insert))
    assert results["inserted"] == 1, results
    assert set(results) <= {"inserted", "refused", "deadlock"}, results
    assert Occupancy.objects.filter(resource=schedule.baker, start__date=monday).count() == 1


def test_a_double_clicked_form_books_once_even_when_the_clicks_race(schedule):
    start = at(next_weekday(0), 9)

    def book(i: int) -> Any:
        return actions.book_appointment(
            None,
            service=schedule.consultation,
            start=start,
            details=details(1),
            form_token="double-click-" + "x" * 30,
        )

    results = fire(5, book)
    assert all(isinstance(r, Appointment) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Appointment.objects.count() == 1


def test_ten_concurrent_repeats_with_one_idempotency_key_store_one_booking(http_server, schedule):
    body = {
        "service": "consultation",
        "start": at(next_weekday(0), 9).isoformat(),
        "patient": patient_json(1),
    }
    answers = fire(
        10, lambda i: http_post(http_server, "/api/v1/bookings", body, {"Idempotency-Key": "k"})
    )
    assert {status for status, _ in answers} == {201}, answers
    assert len({content for _, content in answers}) == 1
    assert Appointment.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1
