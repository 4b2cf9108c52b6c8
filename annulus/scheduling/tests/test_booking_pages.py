"""The booking pages through Django's test client: every step, the manage link, the edges."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from annulus.audit.models import AuditEvent
from annulus.scheduling.links import manage_token
from annulus.scheduling.models import Appointment, Status
from annulus.scheduling.tests.factories import at, next_weekday
from annulus.scheduling.views import common as views

pytestmark = pytest.mark.django_db

PERSON = {
    "first_name": "Robin",
    "last_name": "Tester",
    "date_of_birth": "1980-05-02",
    "email": "robin@example.org",
    "phone": "+1 555 0101",
    "mode": "in_person",
}


def links(response, pattern: str) -> list[str]:
    html = response.content.decode()
    return [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', html) if pattern in h]


def details_page(client, start, resource="dr-ames"):
    return client.get(
        "/book/details/",
        {"service": "consultation", "start": start.isoformat(), "resource": resource},
    )


def submit(client, page, **changes):
    form = page.context["form"]
    data = {**{k: form.initial.get(k, "") for k in ("service", "start", "resource")}, **PERSON}
    data["form_token"] = form.initial["form_token"]
    data.update(changes)
    return client.post("/book/details/", data)


def test_it_walks_from_service_to_day_to_time_to_details(client, schedule):
    monday = next_weekday(0)
    first = client.get("/book/")
    assert first.status_code == 200  # two services online: the visitor chooses
    assert "/book/?service=consultation" in links(first, "service=")
    days = client.get("/book/?service=consultation")
    assert days.status_code == 200
    assert "Times are Lakeside main clinic time" in days.content.decode()
    day_links = links(days, "day=")
    assert day_links, "no days offered"
    later = links(days, "from=")
    assert later, "no link to later dates"
    page = client.get(f"/book/?service=consultation&day={monday.isoformat()}")
    html = page.content.decode()
    assert "9:00 AM C" in html  # CST or CDT: shown in the clinic's zone
    times = links(page, "/book/details/")
    assert len(times) == 14
    query = parse_qs(urlsplit(times[0]).query)
    assert query["start"] == [at(monday, 9).isoformat().replace("+00:00", "Z")]
    assert query["resource"] == ["dr-ames"]
    details = client.get(times[0])
    assert details.status_code == 200
    assert "Confirm booking" in details.content.decode()
    assert "with Dr Ames" in details.content.decode()


def test_booking_then_managing_reschedules_and_cancels(client, schedule):
    monday = next_weekday(0)
    booked = submit(client, details_page(client, at(monday, 9)))
    assert booked.status_code == 302 and booked["Location"] == "/book/appointment/"
    page = client.get("/book/appointment/")
    assert page.status_code == 200
    assert "You are booked" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    appointment = Appointment.objects.get()
    assert appointment.patient.email == "robin@example.org"
    ics = client.get("/book/appointment/calendar.ics")
    assert ics["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VTIMEZONE" in ics.content

    # The manage link in another browser: the token becomes a session and leaves the URL.
    other = client.__class__()
    opened = other.get(f"/book/manage/{manage_token(appointment)}/")
    assert opened.status_code == 302 and opened["Location"] == "/book/appointment/"
    assert opened["Referrer-Policy"] == "no-referrer"
    change = other.get(f"/book/appointment/change/?day={monday.isoformat()}")
    choices = links(change, "/book/appointment/change/?")
    new_time = next(c for c in choices if "start=" in c and at(monday, 14).strftime("T%H") in c)
    confirm = other.get(new_time)
    assert "Move it to this time?" in confirm.content.decode()
    form = parse_qs(urlsplit(new_time).query)
    moved = other.post(
        "/book/appointment/change/", {"start": form["start"][0], "resource": form["resource"][0]}
    )
    assert moved.status_code == 302
    appointment.refresh_from_db()
    assert appointment.start == at(monday, 14)
    assert "has moved" in other.get(moved["Location"]).content.decode()

    cancel = other.post("/book/appointment/cancel/")
    assert cancel.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == Status.CANCELLED
    assert "This appointment is cancelled" in other.get("/book/appointment/").content.decode()


def test_a_double_submitted_form_books_once_and_shows_the_same_booking(client, schedule):
    page = details_page(client, at(next_weekday(0), 9))
    first = submit(client, page)
    second = submit(client, page)
    assert first.status_code == second.status_code == 302
    assert Appointment.objects.count() == 1
    assert client.get("/book/appointment/").status_code == 200


def test_a_time_taken_meanwhile_says_so_and_offers_other_times(client, schedule):
    monday = next_weekday(0)
    page = details_page(client, at(monday, 9))
    other = client.__class__()
    assert (
        submit(other, details_page(other, at(monday, 9)), email="x@example.org").status_code == 302
    )
    response = submit(client, page)
    assert response.status_code == 409
    html = response.content.decode()
    assert "no longer free" in html and "Nothing was booked for you" in html
    assert Appointment.objects.count() == 1
    # Opening the details of a taken time says so at once, before anyone types.
    assert details_page(client, at(monday, 9)).status_code == 409


def test_without_services_the_page_explains_and_offers_the_phone(client, clinic):
    response = client.get("/book/?service=consultation")
    assert response.status_code == 200
    assert "cannot be booked online" in response.content.decode()
    assert "+1 555 0199" in response.content.decode()


def test_the_self_check_token_carries_over_only_when_the_screening_module_agrees(
    client, schedule, monkeypatch
):
    from annulus.screening import carry_over

    token = "s" * 43
    monkeypatch.setattr(
        carry_over,
        "answers_for_token",
        lambda t: {"screening_id": 77, "patient": {"veteran": True}} if t == token else None,
    )
    refused = client.get("/book/?service=consultation&screening=" + "z" * 43)
    assert refused.status_code == 200
    assert "self-check answers" not in refused.content.decode()
    page = client.get(f"/book/?service=consultation&screening={token}")
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "no-referrer"
    assert "Your self-check answers will go to the clinic" in page.content.decode()
    submit(client, details_page(client, at(next_weekday(0), 9)))
    appointment = Appointment.objects.get()
    assert appointment.screening_id == 77
    assert appointment.patient.veteran is True


def test_booking_still_works_without_the_screening_module(client, schedule, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_screening(name, *args, **kwargs):
        if name == "annulus.screening" and args and "carry_over" in (args[2] or ()):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_screening)
    assert views.screening_answers("s" * 43) is None
    response = client.get("/book/?service=consultation&screening=" + "s" * 43)
    assert response.status_code == 200


def test_a_wrong_manage_link_is_a_404_and_is_audited(client, schedule):
    response = client.get("/book/manage/" + "A" * 43 + "/")
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="appointment.link_refused").exists()
    assert client.get("/book/appointment/").status_code == 404
    assert client.get("/book/appointment/change/").status_code == 404


def test_a_past_appointment_cannot_be_changed_by_the_patient(client, schedule):
    submit(client, details_page(client, at(next_weekday(0), 9)))
    appointment = Appointment.objects.get()
    Appointment.objects.filter(pk=appointment.pk).update(
        start=appointment.start - timedelta(days=30), end=appointment.end - timedelta(days=30)
    )
    page = client.get("/book/appointment/")
    assert "Change the time" not in page.content.decode()
    assert client.post("/book/appointment/cancel/").status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == Status.BOOKED


def test_booking_forms_are_rate_limited_per_address(client, schedule, rate_limits):
    monday = next_weekday(0)
    codes = []
    times = [at(monday, h, m) for h in (9, 10, 11, 13, 14, 15) for m in (0, 30)]
    for n in range(11):
        page = details_page(client, times[n])
        codes.append(submit(client, page, email=f"p{n}@example.org").status_code)
    assert codes[:10] == [302] * 10
    assert codes[10] == 429
