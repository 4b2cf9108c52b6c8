"""Referring doctors, the referrals they send us, and the consult notes we send back."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ReferringDoctor(models.Model):
    """An outside doctor who refers patients: one row per clinic and NPI.

    At least one way to send them a consult note is kept: an email address or a fax number.
    """

    clinic = models.ForeignKey(
        "accounts.Clinic", on_delete=models.PROTECT, related_name="referring_doctors"
    )
    name = models.CharField(max_length=200)
    practice = models.CharField(max_length=200, blank=True)
    npi = models.CharField("NPI", max_length=10)
    email = models.EmailField(blank=True)
    fax = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "npi"], name="referring_doctor_npi_once"),
            models.CheckConstraint(
                condition=~Q(email="") | ~Q(fax=""), name="referring_doctor_reachable"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PatientReferrer(models.Model):
    """This doctor referred (or looks after) this patient: consult notes may go to them."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="referrers"
    )
    doctor = models.ForeignKey(ReferringDoctor, on_delete=models.PROTECT, related_name="patients")
    linked_at = models.DateTimeField(default=timezone.now)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["linked_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "doctor"], name="patient_referrer_once")
        ]

    def __str__(self) -> str:
        return f"referrer link {self.pk}"


class Referral(models.Model):
    """One referral sent through the public form. The person referred is a lead until a
    coordinator converts them; the doctor is linked to the patient at that point."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="referrals")
    doctor = models.ForeignKey(ReferringDoctor, on_delete=models.PROTECT, related_name="referrals")
    patient_last_name = models.CharField(max_length=100)
    patient_date_of_birth = models.DateField(null=True, blank=True)
    reason = models.TextField(max_length=2000)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"referral {self.pk}"


class ReferralAttachment(models.Model):
    """A file sent with a referral, checked by content and stored under an internal id."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="attachments")
    content_type = models.CharField(max_length=50)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=200, unique=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"referral file {self.pk}"


class NoteChannel(models.TextChoices):
    EMAIL = "email", "Email link"
    FAX = "fax", "Fax"


class ConsultNoteShare(models.Model):
    """One consult note going back to a referring doctor: an expiring email link, or a fax.

    For email, the note is printed once at sending (the doctor sees what was sent, stored with
    its SHA-256); only the SHA-256 of the link's token is kept.
    """

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="consult_note_shares"
    )
    doctor = models.ForeignKey(ReferringDoctor, on_delete=models.PROTECT, related_name="shares")
    evaluation = models.ForeignKey(
        "candidacy.Evaluation", on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=NoteChannel.choices)
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    pdf_storage_name = models.CharField(max_length=200, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    first_opened_at = models.DateTimeField(null=True, blank=True)
    open_count = models.PositiveIntegerField(default=0)
    fax_number = models.CharField(max_length=40, blank=True)
    faxed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=["email", "fax"]), name="note_share_channel_known"
            ),
            models.CheckConstraint(
                condition=~Q(channel="email")
                | (Q(token_hash__isnull=False) & Q(expires_at__isnull=False) & ~Q(pdf_sha256="")),
                name="note_share_email_has_link",
            ),
            models.CheckConstraint(
                condition=~Q(channel="fax") | (~Q(fax_number="") & Q(faxed_on__isnull=False)),
                name="note_share_fax_has_number_and_date",
            ),
        ]

    def __str__(self) -> str:
        return f"consult note share {self.pk}"

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()
