"""Outgoing email with a delivery state that comes from the mail backend's own answer.

Booking engines and registries have marked reminders "sent" when they never left. Here an email
is `sent` only when the backend accepted it; an exception or a refusal makes it `failed`, and it is
retried with back-off until it is sent or gives up, which staff can see in the outbox.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Status(models.TextChoices):
    QUEUED = "queued", "Queued"
    # Handed to the mail server; the answer is not recorded yet. A worker that dies here leaves
    # the outcome unknown, so the email is never sent again automatically (never twice).
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed, will retry"
    GAVE_UP = "gave_up", "Failed, gave up"


class OutboundEmail(models.Model):
    clinic = models.ForeignKey(
        "accounts.Clinic", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    patient_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    kind = models.CharField(max_length=60, help_text="What the email is for, e.g. booking.reminder")
    to = models.EmailField()
    subject = models.CharField(max_length=200)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    # [{"filename": "visit.ics", "content_type": "text/calendar", "content_b64": "…"}]
    attachments = models.JSONField(default=list, blank=True)
    # Makes queueing idempotent: the same reminder for the same appointment is queued once.
    dedupe_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sending_started_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in Status]), name="email_status_known"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="email_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.status}"
