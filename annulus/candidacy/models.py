"""Stored evaluations: what the protocol decided, on which input, and what the clinician did.

An evaluation is never edited. It keeps the protocol id, version and file hash, the exact case it
read and the decision it returned, so the decision can be reproduced and audited years later.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Review(models.TextChoices):
    PENDING = "pending", "Awaiting the clinician"
    ACCEPTED = "accepted", "Accepted"
    OVERRIDDEN = "overridden", "Overridden"
    # An override of an urgent referral: recorded, but not in effect until a second clinician
    # co-signs it. Until then the protocol's urgent referral stands.
    TO_COSIGN = "to_cosign", "Override awaiting a second clinician's co-signature"


class Source(models.TextChoices):
    RECORD = "record", "Run from the patient's record"
    RESCREEN = "rescreen", "Re-screen under another protocol version"


# The only reasons that may override an urgent referral (a red flag): the flag was wrong.
URGENT_OVERRIDE_REASONS = ("data_error", "new_information")


class OverrideReason(models.TextChoices):
    CLINICAL_JUDGEMENT = "clinical_judgement", "Clinical judgement: the criterion does not fit"
    DATA_ERROR = "data_error", "The record held a wrong or outdated value"
    NEW_INFORMATION = "new_information", "New information not yet in the record"
    PATIENT_PREFERENCE = "patient_preference", "Patient's informed preference"
    MULTIDISCIPLINARY = "multidisciplinary", "Multidisciplinary team decision"
    OTHER = "other", "Other (explain)"


class Evaluation(models.Model):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="evaluations"
    )
    protocol_id = models.CharField(max_length=80)
    protocol_version = models.PositiveIntegerField()
    protocol_sha256 = models.CharField(max_length=64)
    assessed_on = models.DateField()
    case_snapshot = models.JSONField()
    decision = models.JSONField()
    outcome = models.CharField(max_length=30, db_index=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    evaluated_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.RECORD)
    # The criterion ids the protocol actually judged (any status but not_applicable), once each:
    # the denominator of override rates, kept small so the rates need no decision JSON.
    judged_criteria = models.JSONField(default=list, blank=True)
    review = models.CharField(max_length=12, choices=Review.choices, default=Review.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    override_reason = models.CharField(max_length=30, choices=OverrideReason.choices, blank=True)
    override_note = models.TextField(blank=True)
    override_outcome = models.CharField(max_length=30, blank=True)
    # The criterion ids the clinician disagreed with: the basis of override rates per criterion.
    overridden_criteria = models.JSONField(default=list, blank=True)
    cosigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cosigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-evaluated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(review="overridden") | ~Q(override_reason=""),
                name="evaluation_override_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(review="overridden", outcome="urgent_referral")
                | Q(cosigned_at__isnull=False),
                name="evaluation_urgent_override_cosigned",
            ),
            models.CheckConstraint(
                condition=Q(review="pending") | Q(reviewed_at__isnull=False),
                name="evaluation_review_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.protocol_id}@{self.protocol_version}: {self.outcome}"
