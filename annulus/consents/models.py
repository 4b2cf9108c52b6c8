"""Informed consent to a procedure, signed electronically by the patient.

One row is one consent to one version of one text: staff prepare it (with the written cost
estimate), the patient signs it on a clinic tablet or through their secure link, and the signed
PDF copy is stored with its SHA-256. A signed row is never changed again; a new version of the
text is signed as a new row, and the old one stays. The patient-facing link works like the intake
link: only the SHA-256 of its token is stored, it expires, and the token leaves the URL.
"""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.core.signals import setting_changed
from django.db import models
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import LazyObject, empty


class ConsentKind(models.TextChoices):
    FIBRIN_PROCEDURE = "fibrin-procedure", "Fibrin sealant procedure"
    DISCOGRAPHY = "discography", "Provocation discography"


class SigningChannel(models.TextChoices):
    TABLET = "tablet", "On a clinic tablet"
    LINK = "link", "Through the patient's secure link"


class _ConsentStorage(LazyObject):
    """`STORAGES["consents"]`, looked up when a file is read or written, and again after the
    setting changes. A FileField keeps the storage object it was given when the model class was
    built, before any test settings apply: the tests' PDFs landed in the checkout's var/private
    instead of their own folder."""

    _wrapped: object  # the storage, or `empty` until first used

    def _setup(self) -> None:
        self._wrapped = storages["consents"]


_CONSENT_STORAGE = _ConsentStorage()


@receiver(setting_changed)
def _forget_consent_storage(*, setting: str, **kwargs: object) -> None:
    if setting == "STORAGES":
        _CONSENT_STORAGE._wrapped = empty


def consent_storage() -> Storage:
    """The storage for signed PDFs: `STORAGES["consents"]` (under var/ by default)."""
    return cast(Storage, _CONSENT_STORAGE)


def _pdf_path(instance: TreatmentConsent, filename: str) -> str:
    return f"treatment-consents/{instance.patient_id}/{instance.pk}-{filename}"


class TreatmentConsentQuerySet(models.QuerySet["TreatmentConsent"]):
    def signed(self) -> TreatmentConsentQuerySet:
        return self.filter(signed_at__isnull=False)


class TreatmentConsent(models.Model):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="treatment_consents"
    )
    kind = models.CharField(max_length=20, choices=ConsentKind.choices)
    text_version = models.PositiveSmallIntegerField()
    text_sha256 = models.CharField(max_length=64)
    # The language of the text file signed ("en": v<N>.yaml, "es": v<N>.es.yaml): with the
    # version and SHA-256 it names exactly which text the patient read.
    text_language = models.CharField(max_length=8, default="en")
    # The written cost estimate: [{"label": "...", "amount": "1200.00"}], in `currency`.
    estimate_items = models.JSONField(default=list)
    estimate_total = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(max_length=3, default="USD")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The signing link (tablet or the patient's own): only the token's hash is stored.
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    link_channel = models.CharField(max_length=10, choices=SigningChannel.choices, blank=True)
    link_expires_at = models.DateTimeField(null=True, blank=True)
    # The signature: set once, by one conditional update.
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_name = models.CharField(max_length=200, blank=True)
    signed_ip = models.GenericIPAddressField(null=True, blank=True)
    signed_channel = models.CharField(max_length=10, choices=SigningChannel.choices, blank=True)
    signed_statements = models.JSONField(default=list, blank=True)
    pdf = models.FileField(storage=consent_storage, upload_to=_pdf_path, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)

    objects = TreatmentConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in ConsentKind]), name="consent_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True) | ~Q(signed_name=""),
                name="consent_signed_has_name",
            ),
            # One signature per patient, kind and text version: a second is a double submit.
            models.UniqueConstraint(
                fields=["patient", "kind", "text_version"],
                condition=Q(signed_at__isnull=False),
                name="consent_signed_once_per_version",
            ),
            models.CheckConstraint(
                condition=Q(estimate_total__gte=0), name="consent_estimate_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} consent v{self.text_version} ({self.text_language})"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None
