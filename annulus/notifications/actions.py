"""Queue and deliver email. Callers use `queue_email`; the worker runs `deliver_email`."""

from __future__ import annotations

import base64
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django_tasks import default_task_backend, task

from annulus.notifications.models import OutboundEmail, Status
from annulus.notifications.redact import redact_links

log = logging.getLogger(__name__)
# Back-off between attempts; after the last one the email gives up and stays visible as such.
RETRY_DELAYS = [
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
]


def attachment(filename: str, content_type: str, content: bytes) -> dict[str, str]:
    return {
        "filename": filename,
        "content_type": content_type,
        "content_b64": base64.b64encode(content).decode(),
    }


def queue_email(
    *,
    kind: str,
    to: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    attachments: list[dict[str, str]] | None = None,
    clinic: Any = None,
    patient_id: int | None = None,
    dedupe_key: str | None = None,
) -> OutboundEmail:
    """Store the email and hand it to the worker once the caller's transaction commits.

    With a `dedupe_key` that was already used, the existing email is returned unchanged.
    """
    if dedupe_key:
        existing = OutboundEmail.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            email = OutboundEmail.objects.create(
                kind=kind,
                to=to,
                subject=subject,
                body_text=body_text,
                body_html=body_html,
                attachments=attachments or [],
                clinic=clinic,
                patient_id=patient_id,
                dedupe_key=dedupe_key,
            )
    except IntegrityError:
        return OutboundEmail.objects.get(dedupe_key=dedupe_key)
    transaction.on_commit(lambda: deliver_email.enqueue(email.pk))
    return email


# A send that has not reported back after this long died with its worker.
STUCK_AFTER = timedelta(minutes=10)
UNCERTAIN = (
    "The worker stopped while sending, so it is not known whether the email left. It was not "
    "sent again automatically (never twice); check with the recipient, then press Retry."
)


@task()
def deliver_email(email_id: int) -> str:
    """Send one email and record what the backend answered. At most once per attempt.

    The row is marked `sending` and committed before the mail server is called. If the worker
    dies mid-send, a retried task finds it `sending`: once that is older than STUCK_AFTER the
    email gives up as uncertain instead of going out a second time.
    """
    now = datetime.now(UTC)
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.status in (Status.SENT, Status.GAVE_UP):
            return "nothing to do"
        if email.status == Status.SENDING:
            started = email.sending_started_at
            if started is not None and now - started < STUCK_AFTER:
                return "being sent by another worker"
            email.status, email.last_error, email.next_attempt_at = Status.GAVE_UP, UNCERTAIN, None
            email.sending_started_at = None
            email.save()
            log.warning("email %s: outcome of an interrupted send unknown; not resent", email.pk)
            return email.status
        email.attempts += 1
        email.status, email.sending_started_at = Status.SENDING, now
        email.save(update_fields=["attempts", "status", "sending_started_at"])
    try:
        accepted = _build(email).send(fail_silently=False)
        error = "" if accepted == 1 else "the mail server accepted no recipient"
    except Exception as exc:  # any backend failure is a failed delivery, never "sent"
        error = f"{type(exc).__name__}: {exc}"[:300]
    now = datetime.now(UTC)
    with transaction.atomic():
        email.sending_started_at = None
        if not error:
            email.status, email.sent_at, email.last_error = Status.SENT, now, ""
            email.next_attempt_at = None
            # The patient has it now: the stored copy keeps no working secret link.
            email.body_text = redact_links(email.body_text)
            email.body_html = redact_links(email.body_html)
        elif email.attempts > len(RETRY_DELAYS):
            email.status, email.last_error, email.next_attempt_at = Status.GAVE_UP, error, None
        else:
            email.status, email.last_error = Status.FAILED, error
            email.next_attempt_at = now + RETRY_DELAYS[email.attempts - 1]
        email.save()
        if email.status == Status.FAILED:
            log.warning("email %s failed (attempt %s); retry scheduled", email.pk, email.attempts)
            when = email.next_attempt_at
            if default_task_backend.supports_defer:
                transaction.on_commit(lambda: deliver_email.using(run_after=when).enqueue(email.pk))
    return email.status


def retry_now(email: OutboundEmail) -> None:
    """Staff asked to try a failed (or given-up) email again."""
    with transaction.atomic():
        OutboundEmail.objects.filter(pk=email.pk).exclude(status=Status.SENT).update(
            status=Status.QUEUED, next_attempt_at=None, sending_started_at=None
        )
        transaction.on_commit(lambda: deliver_email.enqueue(email.pk))


def _build(email: OutboundEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for item in email.attachments:
        message.attach(
            item["filename"], base64.b64decode(item["content_b64"]), item["content_type"]
        )
    return message
