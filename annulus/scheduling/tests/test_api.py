"""The public booking API: slots, bookings (201/409/422), Idempotency-Key, OpenAPI, rate limits."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from annulus.notifications.models import OutboundEmail
from annulus.patients.models import Patient
from annulus.scheduling.links import find_by_manage_token
from annulus.scheduling.models import Appointment, IdempotencyKey
from annulus.scheduling.tests.factories import at, next_weekday, patient_json

pytestmark = pytest.mark.django_db


def post(client, body, **headers):
    return client.post(
        "/api/v1/bookings", json.dumps(body), content_type="application/json", headers=headers
    )


def booking(start, n=1, **changes):
    body = {"service": "consultation", "start": start.isoformat(), "patient": patient_json(n)}
    body.update(changes)
    return body


def test_slots_are_listed_with_their_offset_in_the_clinic_zone(client, schedule):
    monday = next_weekday(0)
    response = client.get(f"/api/v1/slots?service=consultation&from={monday}&to={monday}")
    assert response.status_code == 200
    slots = response.json()["slots"]
    assert len(slots) == 14
    first = slots[0]
    assert first["resource"] == "dr-ames"
    start = datetime.fromisoformat(first["start"])
    assert start == at(monday, 9)
    assert first["start"].endswith(("-06:00", "-05:00"))  # CST or CDT, never naive or UTC
    assert datetime.fromisoformat(first["end"]) == at(monday, 9, 30)


def test_a_booked_slot_disappears_from_the_list_for_that_resource(client, schedule):
    monday = next_weekday(0)
    assert post(client, booking(at(monday, 9), resource="dr-ames")).status_code == 201
    url = f"/api/v1/slots?service=consultation&from={monday}&to={monday}&resource=dr-ames"
    starts = [datetime.fromisoformat(s["start"]) for s in client.get(url).json()["slots"]]
    assert at(monday, 9) not in starts
    assert len(starts) == 13


def test_a_booking_answers_201_with_the_manage_url(client, schedule):
    monday = next_weekday(0)
    response = post(client, booking(at(monday, 9), resource="dr-ames"))
    assert response.status_code == 201, response.content
    body = response.json()
    appointment = Appointment.objects.get()
    assert body["id"] == appointment.pk
    assert body["status"] == "booked"
    assert datetime.fromisoformat(body["start"]) == at(monday, 9)
    assert datetime.fromisoformat(body["end"]) == at(monday, 9, 30)
    token = body["manage_url"].rstrip("/").rsplit("/", 1)[1]
    assert body["manage_url"].startswith("http://testserver/book/manage/")
    assert find_by_manage_token(token) == appointment
    assert appointment.source == "api"


def test_the_same_slot_twice_answers_409(client, schedule):
    monday = next_weekday(0)
    assert post(client, booking(at(monday, 9), resource="dr-ames")).status_code == 201
    response = post(client, booking(at(monday, 9), 2, resource="dr-ames"))
    assert response.status_code == 409
    assert response.json()["detail"][0]["loc"][-1] == "start"
    assert Appointment.objects.count() == 1
    assert Patient.objects.count() == 1


def test_an_idempotency_key_replays_the_first_answer_and_stores_nothing_new(client, schedule):
    monday = next_weekday(0)
    body = booking(at(monday, 9))
    answers = [post(client, body, **{"Idempotency-Key": "abc-123"}) for _ in range(10)]
    assert {a.status_code for a in answers} == {201}
    assert len({a.content for a in answers}) == 1
    assert Appointment.objects.count() == 1
    assert Patient.objects.count() == 1
    assert OutboundEmail.objects.filter(kind="booking.confirmation").count() == 1
    assert IdempotencyKey.objects.count() == 1


def test_an_idempotency_key_reused_for_another_request_is_refused(client, schedule):
    monday = next_weekday(0)
    assert post(client, booking(at(monday, 9)), **{"Idempotency-Key": "k1"}).status_code == 201
    response = post(client, booking(at(monday, 10)), **{"Idempotency-Key": "k1"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
    assert Appointment.objects.count() == 1


def test_a_failed_request_does_not_burn_its_idempotency_key(client, schedule):
    monday = next_weekday(0)
    post(client, booking(at(monday, 9), resource="dr-ames"))
    taken = booking(at(monday, 9), 2, resource="dr-ames")
    assert post(client, taken, **{"Idempotency-Key": "k2"}).status_code == 409
    assert not IdempotencyKey.objects.filter(key="k2").exists()


def test_openapi_documents_both_endpoints(client, schedule):
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/slots" in spec["paths"]
    bookings = spec["paths"]["/api/v1/bookings"]["post"]
    assert set(bookings["responses"]) >= {"201", "409", "422"}
    assert any(p["name"] == "Idempotency-Key" for p in bookings["parameters"])
    slots = spec["paths"]["/api/v1/slots"]["get"]
    assert {p["name"] for p in slots["parameters"]} >= {"service", "from", "to"}


def test_public_endpoints_are_rate_limited(client, schedule, rate_limits):
    monday = next_weekday(0)
    url = f"/api/v1/slots?service=consultation&from={monday}&to={monday}"
    codes = [client.get(url).status_code for _ in range(121)]
    assert codes[:120] == [200] * 120
    assert codes[120] == 429
    bookings = [post(client, booking(at(monday, 9), n)).status_code for n in range(21)]
    assert bookings[-1] == 429
    assert 201 in bookings


def test_the_api_needs_no_session_and_ignores_one(client, schedule, clinician):
    from annulus.testing import sign_in

    sign_in(client, clinician)
    assert post(client, booking(at(next_weekday(0), 9))).status_code == 201


def test_the_slot_search_sees_a_saved_service_change_at_once(client, schedule):
    monday = next_weekday(0)
    path = f"/api/v1/slots?service=consultation&from={monday}&to={monday}"
    assert client.get(path).status_code == 200  # the service is now cached
    service = schedule.consultation
    service.online_bookable = False
    service.save()
    response = client.get(path)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "service"]
    service.online_bookable = True
    service.duration_minutes = 60
    service.save()
    slots = client.get(path).json()["slots"]
    first = slots[0]
    assert datetime.fromisoformat(first["end"]) == at(monday, 10)


def test_the_slot_search_sees_saved_opening_hours_at_once(client, schedule):
    from annulus.scheduling.models import Closure

    monday = next_weekday(0)
    path = f"/api/v1/slots?service=consultation&from={monday}&to={monday}"
    assert len(client.get(path).json()["slots"]) == 14
    Closure.objects.create(
        location=schedule.consultation.location, first_day=monday, last_day=monday
    )
    assert client.get(path).json()["slots"] == []
