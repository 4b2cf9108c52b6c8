"""The patient's own waitlist: shown on the manage page and left from there, and the same in
the public API (join with Idempotency-Key, list and leave with the booking's manage token)."""

from __future__ import annotations

import json

import pytest

from annulus.audit.models import AuditEvent
from annulus.scheduling import actions
from annulus.scheduling.links import manage_token
from annulus.scheduling.models import Appointment, WaitlistEntry, WaitStatus
from annulus.scheduling.tests.factories import at, details, next_weekday, patient_json

pytestmark = pytest.mark.django_db


def booked(schedule, n: int = 1) -> Appointment:
    return actions.book_appointment(
        None, service=schedule.consultation, start=at(next_weekday(0), 10), details=details(n)
    )


def join_api(client, n: int = 1, **headers):
    body = {"service": "consultation", "patient": patient_json(n)}
    return client.post(
        "/api/v1/waitlist", json.dumps(body), content_type="application/json", headers=headers
    )


def test_the_manage_page_shows_the_place_and_the_patient_leaves_it(client, schedule):
    appointment = booked(schedule)
    entry = actions.join_waitlist(schedule.consultation, appointment.patient, actor=None, ctx=None)
    client.get(f"/book/manage/{manage_token(appointment)}/")
    page = client.get("/book/appointment/").content.decode()
    assert "Your place on the waitlist" in page and "You are waiting for a time for" in page

    response = client.post(f"/book/appointment/waitlist/{entry.pk}/leave/")
    assert response.status_code == 302 and response["Location"].endswith("?left=1")
    entry.refresh_from_db()
    assert entry.status == WaitStatus.REMOVED
    page = client.get(response["Location"]).content.decode()
    assert "You have left the waitlist." in page and "Your place on the waitlist" not in page
    removed = AuditEvent.objects.get(action="waitlist.removed")
    assert removed.details == {"by": "patient"} and removed.actor_id is None


def test_another_patients_place_cannot_be_left_from_this_page(client, schedule):
    mine, theirs = booked(schedule, 1), booked(schedule, 2)
    other = actions.join_waitlist(schedule.consultation, theirs.patient, actor=None, ctx=None)
    client.get(f"/book/manage/{manage_token(mine)}/")
    assert client.post(f"/book/appointment/waitlist/{other.pk}/leave/").status_code == 404
    other.refresh_from_db()
    assert other.status == WaitStatus.WAITING


def test_the_api_joins_once_per_key_and_keeps_a_waiting_patients_place(client, schedule):
    first = join_api(client, **{"Idempotency-Key": "join-1"})
    assert first.status_code == 201, first.content
    assert first.json()["status"] == "waiting" and first.json()["service"] == "consultation"
    assert join_api(client, **{"Idempotency-Key": "join-1"}).json() == first.json()
    assert join_api(client).json()["id"] == first.json()["id"]  # already waiting: same place
    assert WaitlistEntry.objects.count() == 1
    assert AuditEvent.objects.filter(action="waitlist.joined").count() == 1
    reused = join_api(client, 2, **{"Idempotency-Key": "join-1"})
    assert reused.status_code == 422
    assert reused.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]


def test_the_api_names_the_bad_field(client, schedule):
    body = {"service": "nope", "patient": patient_json(1)}
    response = client.post("/api/v1/waitlist", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "service"


def test_the_api_lists_and_leaves_with_the_manage_token(client, schedule):
    appointment = booked(schedule)
    entry = actions.join_waitlist(schedule.consultation, appointment.patient, actor=None, ctx=None)
    token = {"Manage-Token": manage_token(appointment)}
    listed = client.get("/api/v1/waitlist", headers=token)
    assert listed.status_code == 200
    assert [p["id"] for p in listed.json()["places"]] == [entry.pk]

    left = client.delete(f"/api/v1/waitlist/{entry.pk}", headers=token)
    assert left.status_code == 200 and left.json()["status"] == "removed"
    again = client.delete(f"/api/v1/waitlist/{entry.pk}", headers=token)
    assert again.status_code == 200 and again.json()["status"] == "removed"
    assert client.get("/api/v1/waitlist", headers=token).json() == {"places": []}
    assert AuditEvent.objects.filter(action="waitlist.removed").count() == 1


def test_the_api_refuses_a_bad_token_and_another_patients_place(client, schedule):
    mine, theirs = booked(schedule, 1), booked(schedule, 2)
    other = actions.join_waitlist(schedule.consultation, theirs.patient, actor=None, ctx=None)
    assert client.get("/api/v1/waitlist", headers={"Manage-Token": "x" * 43}).status_code == 404
    assert AuditEvent.objects.filter(action="appointment.link_refused").exists()
    assert client.get("/api/v1/waitlist").status_code == 422  # no header: named as missing
    token = {"Manage-Token": manage_token(mine)}
    assert client.delete(f"/api/v1/waitlist/{other.pk}", headers=token).status_code == 404
    other.refresh_from_db()
    assert other.status == WaitStatus.WAITING


def test_leaving_after_the_offer_was_booked_is_a_409(client, schedule):
    appointment = booked(schedule)
    entry = actions.join_waitlist(schedule.consultation, appointment.patient, actor=None, ctx=None)
    WaitlistEntry.objects.filter(pk=entry.pk).update(status=WaitStatus.LAPSED)
    token = {"Manage-Token": manage_token(appointment)}
    response = client.delete(f"/api/v1/waitlist/{entry.pk}", headers=token)
    assert response.status_code == 409


def test_the_place_is_shown_in_spanish_on_the_spanish_page(client, schedule):
    appointment = booked(schedule)
    actions.join_waitlist(schedule.consultation, appointment.patient, actor=None, ctx=None)
    client.get(f"/book/manage/{manage_token(appointment)}/")
    page = client.get("/es/book/appointment/").content.decode()
    assert "Su lugar en la lista de espera" in page and "Salir de la lista de espera de" in page


def test_the_join_page_sends_the_service_once(client, schedule):
    """Two `service` inputs (the page's and an empty one from the form) sent the browser back to
    the start: the last value wins in a POST."""
    page = client.get("/book/waitlist/join/", {"service": "consultation"}).content.decode()
    assert page.count('name="service"') == 1
