"""A place on the waitlist taken without a booking has its own private link: the API join
returns it (and it is emailed), it opens a page that shows and leaves the place, and its last
part is a Manage-Token for that one place in the API."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from annulus.audit.models import AuditEvent
from annulus.notifications.models import OutboundEmail
from annulus.scheduling.models import WaitlistEntry, WaitStatus
from annulus.scheduling.tests.factories import patient_json

pytestmark = pytest.mark.django_db


def join_api(client, n: int = 1, service: str = "consultation", **headers):
    body = {"service": service, "patient": patient_json(n)}
    return client.post(
        "/api/v1/waitlist", json.dumps(body), content_type="application/json", headers=headers
    )


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


def test_an_api_join_without_a_booking_returns_and_emails_its_own_link(client, schedule):
    joined = join_api(client)
    assert joined.status_code == 201, joined.content
    url = joined.json()["manage_url"]
    assert "/book/waitlist/place/" in url and "new_place" not in joined.json()
    email = OutboundEmail.objects.get(kind="waitlist.joined")
    assert email.to == "robin1@example.org" and url in email.body_text
    assert "Consultation" not in email.body_text  # a link, no clinical details
    token = {"Manage-Token": token_of(url)}
    listed = client.get("/api/v1/waitlist", headers=token)
    assert listed.status_code == 200
    assert [p["id"] for p in listed.json()["places"]] == [joined.json()["id"]]
    left = client.delete(f"/api/v1/waitlist/{joined.json()['id']}", headers=token)
    assert left.status_code == 200 and left.json()["status"] == "removed"
    assert client.get("/api/v1/waitlist", headers=token).json() == {"places": []}


def test_a_repeat_keeps_the_link_a_second_join_does_not_hand_it_out(client, schedule):
    first = join_api(client, **{"Idempotency-Key": "k-1"})
    replay = join_api(client, **{"Idempotency-Key": "k-1"})
    assert replay.json() == first.json() and first.json()["manage_url"]
    # Someone else who knows the email and date of birth: the same place, but no link.
    again = join_api(client)
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert again.json()["manage_url"] is None
    assert OutboundEmail.objects.filter(kind="waitlist.joined").count() == 1


def test_a_places_token_opens_that_place_only(client, schedule):
    consultation = join_api(client).json()
    extended = join_api(client, service="extended").json()
    assert consultation["manage_url"] != extended["manage_url"]
    token = {"Manage-Token": token_of(consultation["manage_url"])}
    places = client.get("/api/v1/waitlist", headers=token).json()["places"]
    assert [p["id"] for p in places] == [consultation["id"]]
    refused = client.delete(f"/api/v1/waitlist/{extended['id']}", headers=token)
    assert refused.status_code == 404
    assert WaitlistEntry.objects.get(pk=extended["id"]).status == WaitStatus.WAITING


def test_the_place_link_shows_the_place_and_leaves_it(client, schedule):
    url = join_api(client).json()["manage_url"]
    opened = client.get(urlsplit(url).path)
    assert opened.status_code == 302 and opened["Location"] == "/book/waitlist/place/"
    assert opened["Referrer-Policy"] == "no-referrer"
    page = client.get("/book/waitlist/place/").content.decode()
    assert "You are waiting for a time for Consultation" in page
    left = client.post("/book/waitlist/place/")
    assert left.status_code == 302
    assert WaitlistEntry.objects.get().status == WaitStatus.REMOVED
    assert client.post("/book/waitlist/place/").status_code == 302  # twice: still left
    page = client.get("/book/waitlist/place/").content.decode()
    assert "You are no longer on the waitlist for Consultation." in page
    assert AuditEvent.objects.filter(action="waitlist.removed").count() == 1


def test_the_place_page_refuses_a_bad_link_and_no_session(client, schedule):
    bad = client.get("/book/waitlist/place/" + "x" * 43 + "/")
    assert bad.status_code == 404
    assert AuditEvent.objects.filter(action="appointment.link_refused").exists()
    assert client.get("/book/waitlist/place/").status_code == 404
    assert client.post("/book/waitlist/place/").status_code == 404


def test_the_join_page_emails_the_link_in_the_patients_language(client, schedule):
    form = {
        "service": "consultation",
        "first_name": "Robin",
        "last_name": "Espera",
        "date_of_birth": "23/04/1975",  # the Spanish page reads day first
        "email": "robin.espera@example.org",
        "phone": "",
    }
    assert client.post("/es/book/waitlist/join/", form).status_code == 200
    email = OutboundEmail.objects.get(kind="waitlist.joined")
    assert "Está en la lista de espera" in email.subject
    assert "/es/book/waitlist/place/" in email.body_text


def test_the_openapi_description_documents_the_places_link(client, schedule):
    spec = client.get("/api/v1/openapi.json").json()
    join = spec["paths"]["/api/v1/waitlist"]["post"]
    assert "No booking is needed" in join["description"]
    schema = join["responses"]["201"]["content"]["application/json"]["schema"]
    name = schema["$ref"].rsplit("/", 1)[1]
    link = spec["components"]["schemas"][name]["properties"]["manage_url"]
    assert "Manage-Token" in link["description"]
    assert {"type": "null"} in link.get("anyOf", [])  # null for a patient already waiting


def test_the_api_join_is_rate_limited_per_address(client, schedule, rate_limits):
    codes = [join_api(client, n).status_code for n in range(21)]
    assert codes[:20] == [201] * 20 and codes[20] == 429
