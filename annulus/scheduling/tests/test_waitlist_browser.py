"""The waitlist in Debian's Chromium: a patient with a booking joins the waitlist from the
booking pages, finds their place on the manage page, and leaves it there. axe-core finds
nothing on the manage page with the place shown."""

from __future__ import annotations

import pytest

from annulus.scheduling import actions
from annulus.scheduling.links import manage_token
from annulus.scheduling.models import WaitlistEntry, WaitStatus
from annulus.scheduling.tests.factories import at, details, next_weekday
from annulus.website.tests.browser import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
