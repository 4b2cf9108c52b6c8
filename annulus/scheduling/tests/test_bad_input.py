"""Bad input: a 422 naming the field (API) or a message at the field (form); nothing stored."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from annulus.notifications.models import OutboundEmail
from annulus.patients.models import Patient
from annulus.scheduling.models import Appointment, Occupancy
from annulus.scheduling.tests.factories import at, next_weekday, patient_json

pytestmark = pytest.mark.django_db


def nothing_stored() -> bool:
    return not (
        Appointment.objects.exists()
        or Occupancy.objects.exists()
        or Patient.objects.exists()
        or OutboundEmail.objects.exists()
    )


def post(client, body):
    return client.post("/api/v1/bookings", json.dumps(body), content_type="application/json")


def good(**changes):
    body = {
        "service": "consultation",
        "start": at(next_weekday(0), 9).isoformat(),
        "patient": patient_json(),
    }
    body.update(changes)
    return body


def field_of(response) -> list[str]:
    return [str(item["loc"][-1]) for item in response.json()["detail"]]


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"start": (datetime.now(UTC) - timedelta(hours=3)).isoformat()}, "start", "passed"),
        ({"start": (datetime.now(UTC) + timedelta(minutes=20)).isoformat()}, "start", "notice"),
        ({"start": (datetime.now(UTC) + timedelta(days=200)).isoformat()}, "start", "days ahead"),
        ({"start": "__monday_0717__"}, "start", "outside opening hours"),
        ({"start": "__monday_0910__"}, "start", "not one of this service's start times"),
        ({"start": "__saturday_10__"}, "start", "closed on that Saturday"),
        ({"start": "2027-02-30T09:00:00-06:00"}, "start", ""),
        ({"start": "2027-03-01T09:00:00"}, "start", "timezone"),
        ({"start": "tomorrow at nine"}, "start", ""),
        ({"service": "brain-surgery"}, "service", "No online-bookable service"),
        ({"service": "procedure"}, "service", "No online-bookable service"),
        ({"resource": "dr-nobody"}, "resource", "Unknown clinician"),
        ({"resource": "procedure-room"}, "resource", "Unknown clinician"),
        ({"mode": "carrier-pigeon"}, "mode", ""),
        ({"patient": patient_json(email="not-an-email")}, "email", "email address"),
        ({"patient": patient_json(email="a@b")}, "email", "email address"),
        ({"patient": patient_json(date_of_birth="1980-13-40")}, "date_of_birth", ""),
        (
            {"patient": patient_json(date_of_birth="2999-01-01")},
            "date_of_birth",
            "cannot be in the future",
        ),
        ({"patient": patient_json(first_name="   ")}, "first_name", ""),
        ({"patient": patient_json(phone="call me maybe")}, "phone", "digits"),
    ],
)
def test_the_api_answers_422_naming_the_field_and_stores_nothing(
    client, schedule, changes, field, words
):
    monday = next_weekday(0)
    saturday = monday + timedelta(days=5)
    placeholders = {
        "__monday_0717__": at(monday, 7, 17).isoformat(),  # before opening hours
        "__monday_0910__": at(monday, 9, 10).isoformat(),  # off the 30-minute grid
        "__saturday_10__": at(saturday, 10).isoformat(),  # closed all day
    }
    if changes.get("start") in placeholders:
        changes = {"start": placeholders[changes["start"]]}
    response = post(client, good(**changes))
    assert response.status_code == 422, response.content
    assert field in field_of(response), response.json()
    assert words in json.dumps(response.json())
    assert nothing_stored()


def test_a_missing_body_field_is_named(client, schedule):
    body = good()
    del body["patient"]["last_name"]
    response = post(client, body)
    assert response.status_code == 422
    assert "last_name" in field_of(response)
    assert nothing_stored()


def test_malformed_json_is_refused(client, schedule):
    response = client.post("/api/v1/bookings", "{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert nothing_stored()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("service=consultation&from=2027-13-01&to=2027-01-02", "from"),
        ("service=consultation&from=2027-01-01&to=soon", "to"),
        ("service=consultation&to=2027-01-02", "from"),
        ("service=nope&from=2027-01-01&to=2027-01-02", "service"),
        ("service=consultation&from=2027-01-10&to=2027-01-01", "to"),
        ("service=consultation&from=2027-01-01&to=2027-03-01", "to"),
        ("service=consultation&from=2027-01-01&to=2027-01-02&resource=x", "resource"),
    ],
)
def test_the_slot_search_answers_422_naming_the_field(client, schedule, query, field):
    response = client.get(f"/api/v1/slots?{query}")
    assert response.status_code == 422
    assert field in field_of(response)


def details_form(client, chosen, **changes):
    page = client.get(
        "/book/details/",
        {"service": "consultation", "start": chosen.isoformat(), "resource": "dr-ames"},
    )
    token = page.context["form"].initial["form_token"]
    data = {
        "service": "consultation",
        "start": chosen.isoformat(),
        "resource": "dr-ames",
        "form_token": token,
        "first_name": "Robin",
        "last_name": "Tester",
        "date_of_birth": "1980-05-02",
        "email": "robin@example.org",
        "phone": "",
        "mode": "in_person",
    }
    data.update(changes)
    return client.post("/book/details/", data)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": "robin-at-example"}, "email", "Enter an email address like"),
        ({"email": ""}, "email", "Enter your email address."),
        ({"date_of_birth": "31/02/1980"}, "date_of_birth", "month/day/year"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth", "real date of birth"),
        ({"first_name": ""}, "first_name", "Enter your first name."),
        ({"mode": ""}, "mode", "Choose in person or video call."),
        ({"phone": "ring ring"}, "phone", "digits"),
    ],
)
def test_the_booking_form_says_what_to_fix_and_stores_nothing(
    client, schedule, changes, field, message
):
    response = details_form(client, at(next_weekday(0), 9), **changes)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert nothing_stored()


def test_a_tampered_time_in_the_form_is_refused_with_a_message(client, schedule):
    monday = next_weekday(0)
    response = details_form(client, at(monday, 9), start=at(monday, 9, 10).isoformat())
    assert response.status_code == 422
    assert "not one of this service&#x27;s start times" in response.content.decode()
    assert nothing_stored()


def test_a_past_time_in_the_form_is_refused(client, schedule):
    monday = next_weekday(0)
    response = details_form(client, at(monday, 9), start="2020-01-06T15:00:00Z")
    assert response.status_code == 422
    assert "already passed" in response.content.decode()
    assert nothing_stored()
