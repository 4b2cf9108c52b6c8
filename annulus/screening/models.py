"""Stored self-screen answers. Anonymous: no name, email or address is ever asked for."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CARRY_OVER_DAYS = 7


class Outcome(models.TextChoices):
    URGENT_REFERRAL = "urgent_referral", _("Urgent: seek care now")
    WORTH_EVALUATION = "worth_evaluation", _("Worth a specialist evaluation")
    UNLIKELY_FIT = "unlikely_fit", _("Unlikely to fit this procedure")
    CONSERVATIVE_FIRST = "conservative_first", _("Conservative care first")


def _expiry() -> datetime:
    return timezone.now() + timedelta(days=CARRY_OVER_DAYS)


class ScreeningResponse(models.Model):
    """One completed self-screen: the answers, the outcome and whether they may carry on.

    The result link's token is shown once; only its SHA-256 is kept (`annulus.lib.tokens`).
    Booking may read the answers through `carry_over.answers_for_token` only when the person
    consented and the link has not expired.
    """

    clinic = models.ForeignKey(
        "accounts.Clinic", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    red_flags = models.JSONField(help_text="{flag id: answered yes}, all nine flags")
    red_flags_wording = models.CharField(max_length=40)
    answers = models.JSONField(default=dict, blank=True, help_text="Empty when a red flag stopped")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    routes = models.JSONField(default=list, blank=True)
    reasons = models.JSONField(default=list, blank=True, help_text="Reason codes, not text")
    carry_over_consent = models.BooleanField(default=False)
    consent_wording_version = models.CharField(max_length=40, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(default=_expiry)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=[o.value for o in Outcome]),
                name="screening_outcome_known",
            ),
            # Someone sent to emergency care is never offered a booking, so nothing carries on.
            models.CheckConstraint(
                condition=~models.Q(outcome="urgent_referral", carry_over_consent=True),
                name="screening_urgent_never_carries_over",
            ),
        ]

    def __str__(self) -> str:
        return f"screening {self.pk}: {self.outcome}"

    @property
    def expired(self) -> bool:
        return timezone.now() >= self.expires_at
