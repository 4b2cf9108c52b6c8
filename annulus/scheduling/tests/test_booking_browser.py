"""Booking in Debian's Chromium: a patient on a phone books, opens the manage link from the
email, reschedules, and both emails with their .ics reach the outbox. axe-core finds nothing,
nothing loads from another origin, and the pages work without JavaScript and by keyboard.
The staff calendar is checked on a desktop screen."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from icalendar import Calendar

from annulus.notifications.models import OutboundEmail
from annulus.scheduling.models import Appointment, Status
from annulus.scheduling.tests.conftest import run_worker
from annulus.scheduling.tests.factories import at, next_weekday
from annulus.testing import sign_in
from annulus.website.tests.browser import RequestLog, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("var/screenshots")


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"booking-{name}.png"), full_page=True)


def check(page, name: str, problems: dict) -> None:
    found = axe_violations(page)
    if found:
        problems[name] = found
    shoot(page, name)


def fill_details(page) -> None:
    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Last name").fill("Tester")
    page.get_by_label("Date of birth").fill("05/02/1980")
    page.get_by_label("Email address").fill("robin@example.org")
    page.get_by_label("Phone number").fill("+1 555 0101")
    page.get_by_label("In person").check()


def test_a_patient_on_a_phone_books_opens_the_manage_link_and_reschedules(
    phone_page, live_server, schedule, mailoutbox
):
    page = phone_page
    requests = RequestLog(page, live_server.url)
    problems: dict[str, list[str]] = {}
    monday = next_weekday(0)

    page.goto("/book/")
    assert page.locator("h1").inner_text() == "Book an appointment"
    check(page, "services", problems)
    page.get_by_role("link", name=re.compile("^Consultation")).click()
    assert page.locator("h1").inner_text() == "Choose a day"
    check(page, "days", problems)
    while not page.get_by_role("link", name=re.compile(f"{monday:%A} {monday.day} ")).count():
        page.get_by_role("link", name="Later dates").click()
    page.get_by_role("link", name=re.compile(f"{monday:%A} {monday.day} ")).click()
    assert page.locator("h1").inner_text() == "Choose a time"
    check(page, "times", problems)
    page.get_by_role("link", name=re.compile(r"^9:00 AM C[SD]T")).click()
    assert page.locator("h1").inner_text() == "Your details"
    check(page, "details", problems)

    page.get_by_role("button", name="Confirm booking").click()  # nothing filled in yet
    assert page.locator(".error").count() >= 5
    check(page, "details-errors", problems)
    fill_details(page)
    page.get_by_role("button", name="Confirm booking").click()
    assert page.locator("h1").inner_text() == "You are booked"
    check(page, "booked", problems)
    appointment = Appointment.objects.get()
    assert appointment.start == at(monday, 9)

    # The confirmation email carries the manage link and the .ics.
    run_worker()
    confirmation = OutboundEmail.objects.get(kind="booking.confirmation")
    assert confirmation.status == "sent"
    (message,) = [m for m in mailoutbox if "is booked" in m.subject]
    link = re.search(r"https?://\S+/book/manage/\S+/", message.body).group(0)
    assert message.attachments[0][0].endswith(".ics")

    # Later, on the same phone: the link from the email opens the booking.
    page.context.clear_cookies()
    page.goto(link.replace("http://testserver", live_server.url).split(live_server.url, 1)[-1])
    assert page.locator("h1").inner_text() == "Your appointment"
    assert "/book/manage/" not in page.url  # the token left the address bar
    page.get_by_role("link", name="Change the time").click()
    check(page, "change-days", problems)
    page.get_by_role("link", name=re.compile(f"{monday:%A} {monday.day} ")).click()
    page.get_by_role("link", name=re.compile(r"^2:00 PM C[SD]T")).click()
    assert "Move it to this time?" in page.locator("main").inner_text()
    check(page, "change-confirm", problems)
    page.get_by_role("button", name="Move my appointment").click()
    assert page.locator("h1").inner_text() == "Your appointment has moved"
    check(page, "moved", problems)
    appointment.refresh_from_db()
    assert appointment.start == at(monday, 14)

    run_worker()
    kinds = dict(OutboundEmail.objects.values_list("kind", "status"))
    assert kinds["booking.confirmation"] == "sent"
    assert kinds["booking.rescheduled"] == "sent"
    to_patient = [m for m in mailoutbox if m.to == ["robin@example.org"]]
    assert [bool(re.search("is booked|has moved", m.subject)) for m in to_patient] == [True, True]
    for m in to_patient:
        (name, content, kind) = m.attachments[0]
        assert kind == "text/calendar" and name.endswith(".ics")
        assert Calendar.from_ical(content).walk("VTIMEZONE")
    moved = Calendar.from_ical(to_patient[1].attachments[0][1]).walk("VEVENT")[0]
    assert moved.decoded("dtstart") == at(monday, 14)

    page.get_by_role("link", name="Cancel the appointment").click()
    check(page, "cancel", problems)
    page.get_by_role("button", name="Yes, cancel my appointment").click()
    assert "This appointment is cancelled" in page.locator("main").inner_text()
    assert Appointment.objects.get().status == Status.CANCELLED

    assert not problems, problems
    assert not requests.foreign(), requests.foreign()


def test_booking_works_without_javascript(chromium, live_server, schedule):
    context = chromium.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    try:
        monday = next_weekday(0)
        page.goto(f"/book/?service=consultation&day={monday.isoformat()}")
        page.get_by_role("link", name=re.compile(r"^10:00 AM C[SD]T")).click()
        fill_details(page)
        page.get_by_role("button", name="Confirm booking").click()
        assert page.locator("h1").inner_text() == "You are booked"
        assert Appointment.objects.get().start == at(monday, 10)
    finally:
        context.close()


def test_booking_works_with_the_keyboard_alone(phone_page, schedule):
    page = phone_page
    monday = next_weekday(0)
    page.goto(f"/book/?service=consultation&day={monday.isoformat()}")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    for _ in range(40):  # Tab to the first time and open it
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent").startswith("9:00 AM"):
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Your details"
    typed = {
        "first_name": "Kim",
        "last_name": "Lee",
        "date_of_birth": "1975-04-23",
        "email": "kim@example.org",
        "phone": "",
    }
    for _ in range(40):
        page.keyboard.press("Tab")
        name = page.evaluate("document.activeElement.name || document.activeElement.textContent")
        if name in typed:
            page.keyboard.type(typed[name])
        elif name == "mode":
            page.keyboard.press("Space")  # the first choice: in person
        elif name == "Confirm booking":
            with page.expect_navigation():
                page.keyboard.press("Enter")
            break
    assert page.locator("h1").inner_text() == "You are booked"
    assert Appointment.objects.get().patient.email == "kim@example.org"


def test_the_staff_calendar_on_a_desktop_screen(chromium, live_server, schedule, clinician, client):
    from annulus.scheduling import actions
    from annulus.scheduling.tests.factories import details

    tuesday = next_weekday(1)
    for n, hour in enumerate((9, 10, 14)):
        actions.book_appointment(
            None, service=schedule.consultation, start=at(tuesday, hour), details=details(n)
        )
    sign_in(client, clinician)
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1366, "height": 900}
    )
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    requests = RequestLog(page, live_server.url)
    problems: dict[str, list[str]] = {}
    try:
        page.goto(f"/staff/calendar/?date={tuesday.isoformat()}")
        assert page.locator("h1").inner_text().startswith("Calendar:")
        assert page.locator(".appt").count() == 3
        assert page.locator(".appt .stage").first.inner_text() == "Stage: New"
        check(page, "staff-day", problems)
        page.get_by_role("link", name="Week view").click()
        assert "Week of" in page.locator("h1").inner_text()
        check(page, "staff-week", problems)
        page.locator(".appt a").first.click()
        check(page, "staff-appointment", problems)
        page.get_by_label("Start time").fill("15:30")
        page.get_by_role("button", name="Move appointment").click()
        assert "Appointment moved" in page.locator("main").inner_text()
        moved = Appointment.objects.order_by("start").last()
        local = moved.start.astimezone(schedule.zone)
        assert (local.hour, local.minute) == (15, 30)
        assert moved.start - datetime.now(moved.start.tzinfo) > timedelta(hours=1)
    finally:
        context.close()
    assert not problems, problems
    assert not requests.foreign(), requests.foreign()
