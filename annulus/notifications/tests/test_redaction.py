"""L3: the stored copy of a sent email holds no working manage (or other secret) link."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from annulus.lib.tokens import new_token
from annulus.notifications.actions import deliver_email, queue_email
from annulus.notifications.models import OutboundEmail, Status
from annulus.notifications.redact import REDACTED

pytestmark = pytest.mark.django_db


def booking_email(clinic, token: str) -> OutboundEmail:
    url = "https://clinic.test" + reverse("scheduling:manage_link", args=[token])
    return queue_email(
        kind="booking.confirmation",
        to="pat@example.org",
        subject="Your appointment",
        body_text=f"Change or cancel: {url}\n",
        body_html=f'<a href="{url}">Change or cancel</a>',
        clinic=clinic,
    )


def test_a_sent_booking_email_keeps_no_manage_link(clinic):
    token = new_token()
    email = booking_email(clinic, token)
    deliver_email.call(email.pk)
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert token in mail.outbox[0].body  # the patient got the working link
    assert token not in email.body_text and token not in email.body_html
    assert f"/book/manage/{REDACTED}/" in email.body_text


@override_settings(
    EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    EMAIL_HOST="127.0.0.1",
    EMAIL_PORT=9,
    EMAIL_TIMEOUT=2,
)
def test_a_failed_email_keeps_its_link_for_the_retry(clinic):
    token = new_token()
    email = booking_email(clinic, token)
    deliver_email.call(email.pk)
    email.refresh_from_db()
    assert email.status == Status.FAILED
    assert token in email.body_text
