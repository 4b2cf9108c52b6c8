"""People who asked for the free guide, and what they agreed to."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from annulus.patients.models import Language


class LeadStatus(models.TextChoices):
    NEW = "new", "New"
    CONTACTED = "contacted", "Contacted"
    CONVERTED = "converted", "Became a patient"


class HeardAbout(models.TextChoices):
    # Shown on the public form, so translated there (the staff list reads English).
    SEARCH = "search", _("A web search")
    DOCTOR = "doctor", _("A doctor or therapist")
    FRIEND = "friend", _("A friend or family member")
    SOCIAL = "social", _("Social media")
    VETERANS = "veterans", _("A veterans' group or the VA")
    OTHER = "other", _("Somewhere else")


class LeadQuerySet(models.QuerySet["Lead"]):
    def in_clinic(self, clinic: object) -> LeadQuerySet:
        return self.filter(clinic=clinic)

    def contactable(self) -> LeadQuerySet:
        return self.filter(unsubscribed_at__isnull=True)


class Lead(models.Model):
    """One person per clinic and email address: a repeat request updates the same row.

    The consent fields record exactly what was agreed on the form (which wording, when), so that
    converting the lead into a patient can carry the consent record across unchanged.
    """

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="leads")
    first_name = models.CharField(max_length=100)
    email = models.EmailField(help_text="Stored in lower case; one lead per address per clinic.")
    phone = models.CharField(max_length=40, blank=True)
    heard_about = models.CharField(max_length=20, choices=HeardAbout.choices, blank=True)
    status = models.CharField(max_length=12, choices=LeadStatus.choices, default=LeadStatus.NEW)
    consent_wording_version = models.CharField(max_length=60)
    language = models.CharField(
        max_length=8,
        choices=Language.choices,
        default=Language.ENGLISH,
        help_text="The language of the form they used; the guide email and PDF are in it.",
    )
    consent_given_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_requested_at = models.DateTimeField(default=timezone.now)
    request_count = models.PositiveIntegerField(default=1)
    guide_sent_at = models.DateTimeField(null=True, blank=True)
    guide_version = models.CharField(max_length=32, blank=True, help_text="Which PDF was sent")
    unsubscribe_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    patient = models.OneToOneField(
        "patients.Patient", null=True, blank=True, on_delete=models.SET_NULL, related_name="lead"
    )
    converted_at = models.DateTimeField(null=True, blank=True)
    converted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["clinic", "status", "created_at"], name="lead_clinic_status")
        ]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "email"], name="lead_one_per_email"),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in LeadStatus]),
                name="lead_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(heard_about__in=["", *HeardAbout.values]),
                name="lead_heard_about_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="converted") | models.Q(converted_at__isnull=False),
                name="lead_converted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"lead {self.pk}"

    @property
    def unsubscribed(self) -> bool:
        return self.unsubscribed_at is not None
