"""Each booking refusal says its real reason: on the booking page, the staff calendar and the API.

Past, outside opening hours (1:13 AM), off the start-time grid, unknown clinician and taken
each give their own message and code; only a time someone else holds says "taken".
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from annulus.patients.models import Patient
from annulus.scheduling import actions
from annulus.scheduling.tests.factories import at, details, next_weekday, patient_json

pytestmark = pytest.mark.django_db

MONDAY = next_weekday(0)
# case -> (start, resource, code, words in the message)
CASES = {
    "past": (lambda: datetime.now(UTC) - timedelta(days=1), "dr-ames", "past", "already passed"),
    "outside_hours": (lambda: at(MONDAY, 1, 13), "dr-ames", "outside_hours", "1:13 AM is outside"),
    "off_grid": (lambda: at(MONDAY, 9, 10), "dr-ames", "off_grid", "not one of this service"),
    "unknown_clinician": (
        lambda: at(MONDAY, 9),
        "dr-morgan",
        "unknown_clinician",
        "Unknown clinician",
    ),
    "taken": (lambda: at(MONDAY, 9), "dr-ames", "slot_taken", "Someone else has just booked"),
}


def take_nine(schedule) -> None:
    """Dr Ames's 9:00 on Monday is booked by someone else."""
    actions.book_appointment(
        None, service=schedule.consultation, start=at(MONDAY, 9), resource="dr-ames",
        details=details(9),
    )  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_the_api_names_each_refusal_with_its_code(client, schedule, case):
    start, resource, code, words = CASES[case]
    if case == "taken":
        take_nine(schedule)
    body = {
        "service": "consultation",
        "start": start().isoformat(),
        "resource": resource,
        "patient": patient_json(),
    }
    response = client.post("/api/v1/bookings", json.dumps(body), content_type="application/json")
    assert response.status_code == (409 if case == "taken" else 422), response.content
    [item] = response.json()["detail"]
    assert item["type"] == code
    assert words in item["msg"]
    if case != "taken":
        assert "booked" not in item["msg"]


@pytest.mark.parametrize("case", list(CASES))
def test_the_booking_page_shows_each_refusals_message(client, schedule, case):
    start, resource, _code, words = CASES[case]
    if case == "taken":
        take_nine(schedule)
    page = client.get(
        "/book/details/",
        {"service": "consultation", "start": start().isoformat(), "resource": resource},
    )
    html = page.content.decode().replace("&#x27;", "'")
    if case == "taken":
        assert page.status_code == 409
        assert "no longer free" in html
    else:
        assert page.status_code == 422
        assert words in html
        assert "no longer free" not in html and "Someone booked it" not in html


@pytest.mark.parametrize("case", ["past", "outside_hours", "off_grid", "taken"])
def test_staff_booking_shows_each_refusals_message(staff_client, schedule, case):
    start, _resource, _code, words = CASES[case]
    if case == "taken":
        take_nine(schedule)
    patient = Patient.objects.create(clinic=schedule.clinic, first_name="Kim", last_name="Lee")
    local = start().astimezone(schedule.zone)
    form = {
        "service": schedule.consultation.pk,
        "patient": patient.pk,
        "day": local.date().isoformat(),
        "at": local.strftime("%H:%M"),
        "mode": "in_person",
        "resource": "dr-ames",
    }
    response = staff_client.post("/staff/calendar/new/", form)
    html = response.content.decode().replace("&#x27;", "'")
    if case == "taken":
        assert response.status_code == 409
        assert "Taken: another appointment already holds" in html
    else:
        assert response.status_code == 422
        assert words.replace("1:13 AM", "") in html
        assert "Taken:" not in html
    if case == "outside_hours":
        assert "to book it anyway" in html


def test_a_clinician_who_does_not_offer_the_service_is_named_as_unknown(schedule):
    with pytest.raises(actions.BookingError) as refused:
        actions.book_appointment(
            None, service=schedule.consultation, start=at(MONDAY, 9),
            resource="procedure-room", details=details(),
        )  # fmt: skip
    assert refused.value.code == "unknown_clinician"
    assert refused.value.field == "resource"


def test_a_closed_day_says_closed(schedule):
    saturday = MONDAY + timedelta(days=5)
    refused = actions.refusal(schedule.consultation, at(saturday, 10), lead=None, now=at(MONDAY, 0))
    assert isinstance(refused, actions.BookingError)
    assert refused.code == "outside_hours"
    assert "closed on that Saturday" in refused.message


def test_a_bookable_time_has_no_refusal(schedule):
    assert (
        actions.refusal(schedule.consultation, at(MONDAY, 9), lead="dr-ames", now=datetime.now(UTC))
        is None
    )


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"day": "2027-02-30"}, "Day: that is not a date we can read"),
        ({"day": "yesterday"}, "Day: that is not a date we can read"),
        ({"day": "2020-01-06"}, "Day: January 6, 2020 has already passed"),
        ({"day": "2999-01-01"}, "Day: bookings open until"),
        ({"from": "2020-01-06"}, "Start date: January 6, 2020 has already passed"),
    ],
)
def test_an_invalid_or_past_day_shows_an_error_naming_the_field(client, schedule, params, words):
    page = client.get("/book/", {"service": "consultation", **params})
    assert page.status_code == 400
    html = page.content.decode()
    assert words in html
    assert 'role="alert"' in html


def test_a_good_day_shows_its_times_without_an_error(client, schedule):
    page = client.get("/book/", {"service": "consultation", "day": MONDAY.isoformat()})
    assert page.status_code == 200
    assert "There is a problem with the date" not in page.content.decode()
    assert page.context["step"] == "time"


def test_booking_makes_the_booked_clinician_the_patients_clinician(schedule):
    booked = actions.book_appointment(
        None, service=schedule.consultation, start=at(MONDAY, 9), resource="dr-baker",
        details=details(),
    )  # fmt: skip
    booked.patient.refresh_from_db()
    assert booked.patient.clinician_id == schedule.baker.user_id


def test_a_patient_who_has_a_clinician_keeps_them(schedule):
    first = actions.book_appointment(
        None, service=schedule.consultation, start=at(MONDAY, 9), resource="dr-baker",
        details=details(),
    )  # fmt: skip
    actions.book_appointment(
        None, service=schedule.consultation, start=at(MONDAY, 10), resource="dr-ames",
        details=details(),
    )  # fmt: skip
    first.patient.refresh_from_db()
    assert first.patient.clinician_id == schedule.baker.user_id


def test_staff_booking_assigns_the_clinician_too(schedule, clinician):
    from annulus.scheduling.tests.factories import as_staff

    patient = Patient.objects.create(clinic=schedule.clinic, first_name="Kim", last_name="Lee")
    actions.staff_create(
        service=schedule.consultation, patient=patient, start=at(MONDAY, 9),
        resource="dr-ames", **as_staff(clinician),
    )  # fmt: skip
    patient.refresh_from_db()
    assert patient.clinician_id == schedule.ames.user_id


def test_staff_booking_names_an_unknown_clinician(staff_client, schedule):
    patient = Patient.objects.create(clinic=schedule.clinic, first_name="Kim", last_name="Lee")
    form = {
        "service": schedule.consultation.pk,
        "patient": patient.pk,
        "day": MONDAY.isoformat(),
        "at": "09:00",
        "mode": "in_person",
    }
    unknown = staff_client.post("/staff/calendar/new/", {**form, "resource": "dr-morgan"})
    assert unknown.status_code == 400
    assert "Unknown clinician" in unknown.content.decode()
    wrong = staff_client.post("/staff/calendar/new/", {**form, "resource": "procedure-room"})
    assert wrong.status_code == 422
    assert "Unknown clinician" in wrong.content.decode()
