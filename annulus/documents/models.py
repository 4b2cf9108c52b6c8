"""Outside records attached to a patient: MRI reports, letters, notes, scanned consents."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Kind(models.TextChoices):
    MRI_REPORT = "mri_report", "MRI report"
    IMAGING_CD_NOTE = "imaging_cd_note", "Imaging CD note"
    OUTSIDE_CLINIC_NOTE = "outside_clinic_note", "Outside clinic note"
    REFERRAL_LETTER = "referral_letter", "Referral letter"
    CONSENT = "consent", "Consent"
    OTHER = "other", "Other"


class Document(models.Model):
    """One stored file. `storage_name` is an internal id, never the name the uploader sent."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    title = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=50)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=200, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            # The same file twice for one patient (a double submit, a second click) is one row.
            models.UniqueConstraint(fields=["patient", "sha256"], name="document_once_per_patient")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
