"""Published snapshots: the fibrin arm's summary as the director released it, dated, not live."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

# The fewest patients due at the time point shown before a summary may go public.
MIN_DUE_TO_PUBLISH = 30


class PublishedSnapshot(models.Model):
    clinic = models.ForeignKey(
        "accounts.Clinic", on_delete=models.PROTECT, related_name="published_snapshots"
    )
    arm = models.CharField(max_length=40)
    code = models.CharField(max_length=64, help_text="The plan's time point shown")
    months = models.FloatField()
    report_day = models.DateField(help_text="The day the numbers were computed")
    due = models.PositiveIntegerField()
    benchmark_version = models.PositiveIntegerField()
    data = models.JSONField(help_text="The summary exactly as published")
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due__gte=MIN_DUE_TO_PUBLISH), name="snapshot_enough_patients_due"
            )
        ]

    def __str__(self) -> str:
        return f"{self.arm} at {self.code}, published {self.published_at:%Y-%m-%d}"
