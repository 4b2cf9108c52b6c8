from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from annulus.audit.models import AuditEvent
from annulus.notifications.actions import attachment, deliver_email, queue_email
from annulus.notifications.models import OutboundEmail, Status

pytestmark = pytest.mark.django_db(transaction=True)

BROKEN_SMTP = override_settings(
    EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    EMAIL_HOST="127.0.0.1",
    EMAIL_PORT=9,  # discard port: nothing listens, so the connection is refused
    EMAIL_TIMEOUT=2,
)


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def test_it_marks_an_email_sent_only_when_the_backend_accepts_it(clinic):
    ics = attachment("a.ics", "text/calendar", b"X")
    email = queue_email(kind="test.hello", to="pat@example.org", subject="Hi", body_text="Hello",
                        clinic=clinic, attachments=[ics])  # fmt: skip
    assert OutboundEmail.objects.get(pk=email.pk).status == Status.QUEUED
    run_worker()
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert email.sent_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].attachments[0][0] == "a.ics"


@BROKEN_SMTP
def test_it_records_a_failed_send_as_failed_and_schedules_a_retry(clinic):
    email = queue_email(kind="test.hello", to="pat@example.org", subject="Hi", body_text="Hello",
                        clinic=clinic)  # fmt: skip
    run_worker()
    email.refresh_from_db()
    assert email.status == Status.FAILED
    assert email.attempts == 1
    assert "Connection" in email.last_error or "refused" in email.last_error.lower()
    assert email.next_attempt_at is not None


@BROKEN_SMTP
def test_it_gives_up_after_the_last_retry_and_never_says_sent(clinic):
    email = queue_email(kind="test.hello", to="pat@example.org", subject="Hi", body_text="Hello",
                        clinic=clinic)  # fmt: skip
    for _ in range(6):
        deliver_email.call(email.pk)
    email.refresh_from_db()
    assert email.status == Status.GAVE_UP
    assert email.sent_at is None


def test_it_queues_a_deduplicated_email_once(clinic):
    first = queue_email(kind="k", to="a@example.org", subject="s", body_text="b", dedupe_key="r:1")
    second = queue_email(kind="k", to="a@example.org", subject="s", body_text="b", dedupe_key="r:1")
    assert first.pk == second.pk
    assert OutboundEmail.objects.count() == 1


def test_the_outbox_shows_only_this_clinics_emails(staff_client, clinic, outsider):
    from annulus.accounts.models import Membership

    other_clinic = Membership.objects.get(user=outsider).clinic
    mine = queue_email(kind="mine", to="a@example.org", subject="s", body_text="b", clinic=clinic)
    theirs = queue_email(kind="theirs", to="b@example.org", subject="s", body_text="b",
                         clinic=other_clinic)  # fmt: skip
    page = staff_client.get("/staff/outbox/")
    assert b"mine" in page.content
    assert b"theirs" not in page.content
    assert staff_client.get(f"/staff/outbox/{mine.pk}/").status_code == 200
    assert staff_client.get(f"/staff/outbox/{theirs.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", details__kind="email").exists()
