"""API clients that may read FHIR, and bulk exports in progress or done.

A client's token is shown once when the director creates it; only its SHA-256 is stored, so a
copy of the database cannot be used to read patients.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

SCOPE_READ = "system/*.read"
SCOPE_EXPORT = "system/*.export"
SCOPES = [(SCOPE_READ, "Read resources by id and $everything"), (SCOPE_EXPORT, "Bulk $export")]


class FhirClient(models.Model):
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120, help_text="Who uses it, e.g. Registry sync")
    token_prefix = models.CharField(max_length=8, help_text="The first characters, to recognise it")
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"FHIR client {self.name}"

    def usable(self, now: object = None) -> bool:
        moment = now or timezone.now()
        return self.revoked_at is None and self.expires_at > moment  # type: ignore[operator]


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class BulkExport(models.Model):
    """One `$export` request: who asked, for which patients, how far it got, and its files."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    client = models.ForeignKey(
        FhirClient, null=True, blank=True, on_delete=models.SET_NULL, related_name="exports"
    )
    level = models.CharField(max_length=10, help_text="system or group")
    types = models.JSONField(default=list, blank=True, help_text="_type filter; empty = all")
    request_url = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default="queued")
    progress = models.CharField(max_length=60, blank=True)
    patients_total = models.PositiveIntegerField(default=0)
    patients_done = models.PositiveIntegerField(default=0)
    # {"Patient": {"file": "Patient.ndjson", "count": 15}, …}
    output = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(requested_by__isnull=False) | Q(client__isnull=False),
                name="bulk_export_has_requester",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ExportStatus.values), name="bulk_export_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"Bulk export {self.pk} ({self.status})"
