"""How a patient pays, the clinic's price list, and Good Faith Estimates for self-pay patients."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class PayerType(models.TextChoices):
    SELF_PAY = "self_pay", "Self-pay (uninsured or not using insurance)"
    COMMERCIAL = "commercial", "Commercial insurance"
    MEDICARE = "medicare", "Medicare"
    MEDICAID = "medicaid", "Medicaid"
    VA_COMMUNITY_CARE = "va_community_care", "VA Community Care"
    TRICARE = "tricare", "TRICARE"
    WORKERS_COMP = "workers_comp", "Workers' compensation"


class Coverage(models.Model):
    """The patient's current coverage. VA Community Care points at the patient's authorization
    (annulus/patients/va.py) instead of copying its referral number."""

    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.CASCADE, related_name="coverage"
    )
    payer_type = models.CharField(max_length=20, choices=PayerType.choices)
    payer_name = models.CharField(max_length=120, blank=True)
    member_id = models.CharField(max_length=60, blank=True)
    group_number = models.CharField(max_length=60, blank=True)
    authorization_number = models.CharField(max_length=60, blank=True)
    va_authorization = models.ForeignKey(
        "patients.CommunityCareAuthorization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(payer_type__in=PayerType.values), name="coverage_payer_known"
            ),
            models.CheckConstraint(
                condition=Q(va_authorization__isnull=True) | Q(payer_type="va_community_care"),
                name="coverage_va_link_only_for_va",
            ),
        ]

    def __str__(self) -> str:
        return self.get_payer_type_display()

    @property
    def self_pay(self) -> bool:
        return self.payer_type == PayerType.SELF_PAY


class PriceItem(models.Model):
    """One line of the clinic's price list: a service code and its self-pay price in cents."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=12, help_text="CPT or HCPCS code")
    description = models.CharField(max_length=200)
    amount_cents = models.PositiveIntegerField()
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "code"], name="price_item_code_once")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class GoodFaithEstimate(models.Model):
    """A Good Faith Estimate (45 CFR 149.610) as issued: its items are a copy of the price list
    at that moment, and its PDF is stored with the SHA-256 taken when it was printed."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="good_faith_estimates"
    )
    service_description = models.CharField(max_length=200)
    expected_service_date = models.DateField(null=True, blank=True)
    diagnosis_codes = models.CharField(max_length=100, blank=True)
    # The billing provider's identifiers, as printed on the estimate.
    provider_npi = models.CharField("provider NPI", max_length=10, blank=True)
    provider_tin = models.CharField("provider TIN", max_length=10, blank=True)
    # [{"code", "description", "quantity", "unit_cents", "total_cents"}]
    items = models.JSONField(default=list)
    total_cents = models.PositiveIntegerField()
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pdf_storage_name = models.CharField(max_length=200, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"Good Faith Estimate {self.number}"

    @property
    def number(self) -> str:
        return f"GFE-{self.pk:05d}" if self.pk else "GFE-new"

    @property
    def total_dollars(self) -> str:
        return dollars(self.total_cents)


def dollars(cents: int) -> str:
    return f"${cents // 100:,}.{cents % 100:02d}"
