"""Study ids (the key table, which never leaves the database) and the log of export runs."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


def new_study_id() -> str:
    """40 random bits, unrelated to any identifier: "S" and 10 hex digits."""
    return "S" + secrets.token_hex(5).upper()


class StudyId(models.Model):
    """The key from a patient to their study id. Never exported, never shown in exports."""

    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.CASCADE, related_name="study_id"
    )
    study_id = models.CharField(max_length=11, unique=True, default=new_study_id)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Study id of patient {self.patient_id}"


class ResearchExport(models.Model):
    """One run of the research export: who, when, in what format, what came out or why not."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.CASCADE, related_name="+")
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    origin = models.CharField(max_length=40, help_text="page or command")
    format = models.CharField(max_length=8)
    blocked = models.BooleanField(default=False)
    row_counts = models.JSONField(default=dict)
    # Identifier classes and places the checker found (never the values).
    findings = models.JSONField(default=list, blank=True)
    ran_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-ran_at", "-id"]

    def __str__(self) -> str:
        return f"Research export {self.pk} ({'blocked' if self.blocked else 'written'})"
