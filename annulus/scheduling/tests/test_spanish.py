"""Booking in Spanish: the pages, the patient's language, and every email and .ics (issue #18)."""

from __future__ import annotations

import base64

import pytest

from annulus.notifications.models import OutboundEmail
from annulus.patients.models import Patient
from annulus.scheduling import notify
from annulus.scheduling.models import Appointment
from annulus.scheduling.tests.factories import at, next_weekday

pytestmark = pytest.mark.django_db

PERSON = {
    "first_name": "Rosa",
    "last_name": "Prueba",
    "date_of_birth": "1980-05-02",
    "email": "rosa@example.org",
    "phone": "+1 555 0102",
    "mode": "in_person",
}


def book(client, prefix: str, hour: int = 9):
    monday = next_weekday(0)
    page = client.get(
        f"{prefix}/book/details/",
        {"service": "consultation", "start": at(monday, hour).isoformat(), "resource": "dr-ames"},
    )
    form = page.context["form"]
    data = {k: form.initial.get(k, "") for k in ("service", "start", "resource")}
    data.update(PERSON, form_token=form.initial["form_token"])
    return page, client.post(f"{prefix}/book/details/", data)


def ics_text(email: OutboundEmail) -> str:
    return base64.b64decode(email.attachments[0]["content_b64"]).decode()


def test_a_booking_made_in_spanish_stays_in_spanish(client, schedule):
    page, booked = book(client, "/es")
    html = page.content.decode()
    assert '<html lang="es">' in html
    assert "Confirmar la cita" in html and "Confirm booking" not in html
    assert booked.status_code == 302 and booked["Location"] == "/es/book/appointment/"
    done = client.get(booked["Location"]).content.decode()
    assert "Su cita está reservada" in done

    patient = Patient.objects.get(email="rosa@example.org")
    assert patient.language == "es"
    email = OutboundEmail.objects.get(kind="booking.confirmation")
    assert email.subject.startswith("Su cita en ")
    assert "Hola, Rosa:" in email.body_text
    assert "Su cita está reservada." in email.body_text
    assert " a las " in email.subject and "lunes" in email.subject
    assert "/es/book/manage/" in email.body_text
    assert "Your appointment" not in email.body_text
    assert "Para cambiarla o cancelarla" in ics_text(email).replace("\r\n ", "")
    # The clinic's own notice stays English whatever page the patient used.
    staff = OutboundEmail.objects.filter(kind="booking.staff_new").first()
    if staff is not None:
        assert staff.subject.startswith("New booking:")


def test_reminders_and_cancellations_follow_the_patient_s_language(client, schedule):
    book(client, "/es")
    appointment = Appointment.objects.select_related(
        "patient", "service", "location", "clinic"
    ).get()
    reminder = notify.to_patient(appointment, "reminder", "http://testserver", dedupe="t")
    assert reminder.subject.startswith("Recordatorio: su cita en ")
    assert "Le recordamos su cita:" in reminder.body_text
    cancelled = notify.to_patient(appointment, "cancelled", "http://testserver", dedupe="c")
    assert "está cancelada" in cancelled.subject


def test_an_english_booking_stays_english_until_they_book_in_spanish(client, schedule):
    _, booked = book(client, "")
    assert booked["Location"] == "/book/appointment/"
    patient = Patient.objects.get(email="rosa@example.org")
    assert patient.language == "en"
    email = OutboundEmail.objects.get(kind="booking.confirmation")
    assert email.subject.startswith("Your appointment at ")
    assert "/book/manage/" in email.body_text and "/es/" not in email.body_text

    # Booking again from the Spanish pages: they chose Spanish this time.
    book(client, "/es", hour=10)
    patient.refresh_from_db()
    assert patient.language == "es"


def spanish_details(client, chosen, **changes):
    """The Spanish details form for `chosen`, posted with `changes` (e.g. a tampered start)."""
    page = client.get(
        "/es/book/details/",
        {"service": "consultation", "start": chosen.isoformat(), "resource": "dr-ames"},
    )
    data = {
        "service": "consultation",
        "start": chosen.isoformat(),
        "resource": "dr-ames",
        "form_token": page.context["form"].initial["form_token"],
        **PERSON,
        **changes,
    }
    return client.post("/es/book/details/", data)


def test_a_refused_time_is_explained_in_spanish_on_a_spanish_page(client, schedule):
    monday = next_weekday(0)
    off_grid = spanish_details(client, at(monday, 9), start=at(monday, 9, 10).isoformat())
    html = off_grid.content.decode()
    assert off_grid.status_code == 422
    assert "no es una de las horas de inicio de este servicio" in html
    assert "start times" not in html
    past = spanish_details(client, at(monday, 9), start="2020-01-06T15:00:00Z")
    assert "Ese horario ya pasó." in past.content.decode()
    closed = spanish_details(client, at(monday, 9), start=at(monday, 1, 13).isoformat())
    assert "está fuera del horario de atención" in closed.content.decode()
    assert not Appointment.objects.exists()


def test_the_same_refusal_stays_english_for_the_api_and_english_pages(client, schedule):
    monday = next_weekday(0)
    page = client.get(
        "/book/details/",
        {"service": "consultation", "start": at(monday, 9).isoformat(), "resource": "dr-ames"},
    )
    data = {
        "service": "consultation",
        "start": "2020-01-06T15:00:00Z",
        "resource": "dr-ames",
        "form_token": page.context["form"].initial["form_token"],
        **PERSON,
    }
    assert "That time has already passed." in client.post("/book/details/", data).content.decode()


def test_a_spanish_phone_error_names_the_rule_in_spanish(client, schedule):
    response = spanish_details(client, at(next_weekday(0), 9), phone="llámame")
    assert "use solo números, espacios y + - ( )" in response.content.decode()
