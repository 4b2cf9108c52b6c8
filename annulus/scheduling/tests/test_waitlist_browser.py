"""The waitlist in Debian's Chromium: a patient with a booking joins the waitlist from the
booking pages, finds their place on the manage page, and leaves it there; on a phone, a
patient asks for an earlier time from the manage page and books the offer it brings. axe-core
finds nothing on these pages."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from annulus.scheduling import actions
from annulus.scheduling.links import manage_token
from annulus.scheduling.models import Appointment, WaitlistEntry, WaitStatus
from annulus.scheduling.tests.conftest import run_worker
from annulus.scheduling.tests.factories import at, details, next_weekday
from annulus.website.tests.browser import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("var/screenshots")
MONDAY = next_weekday(0)


def test_a_patient_joins_the_waitlist_and_leaves_it_from_the_manage_page(
    phone_page, live_server, schedule
):
    page = phone_page
    appointment = actions.book_appointment(
        None, service=schedule.consultation, start=at(next_weekday(0), 10), details=details(1)
    )

    page.goto("/book/waitlist/join/?service=consultation")
    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Last name").fill("Tester1")
    page.get_by_label("Date of birth").fill("05/02/1980")
    page.get_by_label("Email address").fill("robin1@example.org")
    page.get_by_label("Phone number").fill("+1 555 0101")
    page.get_by_role("button", name="Join the waitlist").click()
    assert page.locator("h1").inner_text() == "You are on the waitlist"
    entry = WaitlistEntry.objects.get()
    assert entry.patient_id == appointment.patient_id and entry.status == WaitStatus.WAITING

    page.goto(f"/book/manage/{manage_token(appointment)}/")
    place = page.get_by_role("region", name="Your place on the waitlist")
    assert "You are waiting for a time for Consultation" in place.inner_text()
    assert axe_violations(page) == []

    place.get_by_role("button", name="Leave the waitlist for Consultation").click()
    assert "You have left the waitlist." in page.locator("main").inner_text()
    assert page.get_by_role("region", name="Your place on the waitlist").count() == 0
    entry.refresh_from_db()
    assert entry.status == WaitStatus.REMOVED


def test_on_a_phone_a_patient_asks_for_an_earlier_time_and_keeps_one_booking(
    phone_page, live_server, schedule, mailoutbox
):
    """Join from the manage page, an earlier time frees up, the offer email's link books it:
    the booking moves, and the manage page shows one appointment at the earlier time."""
    page = phone_page
    problems: dict[str, list[str]] = {}
    monday, wednesday = MONDAY, MONDAY + timedelta(days=2)
    later = actions.book_appointment(
        None, service=schedule.consultation, start=at(wednesday, 10), details=details(5)
    )
    taken = [
        actions.book_appointment(
            None,
            service=schedule.consultation,
            start=at(monday, 9),
            resource=lead,
            details=details(n),
        )
        for n, lead in ((1, "dr-ames"), (2, "dr-baker"))
    ]

    page.goto(f"/book/manage/{manage_token(later)}/")
    earlier = page.get_by_role("region", name="Would an earlier time suit you?")
    check(page, "earlier-manage", problems)
    earlier.get_by_role("button", name="Tell me if an earlier time opens").click()
    assert "If an earlier time opens, we email you a link" in page.locator("main").inner_text()
    check(page, "earlier-joined", problems)
    assert page.get_by_role("region", name="Would an earlier time suit you?").count() == 0

    # Someone with Monday 9:00 cancels: the offer goes out by email.
    actions.cancel(None, taken[0], base=live_server.url)
    run_worker()
    mine = [m for m in mailoutbox if m.to == ["robin5@example.org"]]
    (offer,) = [m for m in mine if m.subject.startswith("A time has opened up")]
    link = re.search(r"https?://\S+/book/waitlist/\S+/", offer.body).group(0)
    page.goto(link.split(live_server.url, 1)[-1])
    assert page.locator("h1").inner_text() == "A time has opened up"
    offered = page.locator("main").inner_text()
    assert f"{monday:%A} {monday.day}" in offered
    assert f"moves your appointment of {wednesday:%A} {wednesday.day}" in offered
    check(page, "earlier-offer", problems)
    page.get_by_role("button", name="Book this time").click()
    assert page.locator("h1").inner_text() == "Your appointment has moved"
    main = page.locator("main").inner_text()
    assert "We have emailed you the new time." in main
    assert f"{monday:%A} {monday.day}" in main and "9:00 AM" in main
    check(page, "earlier-booked", problems)

    held = Appointment.objects.filter(patient=later.patient)
    assert [(a.pk, a.start, a.status) for a in held] == [(later.pk, at(monday, 9), "booked")]
    run_worker()
    subjects = [m.subject for m in mailoutbox if m.to == ["robin5@example.org"]]
    assert len(subjects) == 3 and "has moved" in subjects[-1]  # booked, offer, moved
    assert not problems, problems


def check(page, name: str, problems: dict) -> None:
    found = axe_violations(page)
    if found:
        problems[name] = found
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"waitlist-{name}.png"), full_page=True)
