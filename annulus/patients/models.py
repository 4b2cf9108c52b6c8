"""The patient record: who the person is, how to reach them, and where they are in the path."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Stage(models.TextChoices):
    NEW = "new", "New"
    WORK_UP = "work-up", "Work-up"
    DECISION = "decision", "Decision"
    TREATED = "treated", "Treated"
    FOLLOW_UP = "follow-up", "Follow-up"
    CLOSED = "closed", "Closed"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class ContactChannel(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone call"
    SMS = "sms", "Text message"
    POST = "post", "Letter"


class PatientQuerySet(models.QuerySet["Patient"]):
    def in_clinic(self, clinic: object) -> PatientQuerySet:
        return self.filter(clinic=clinic)


class Patient(models.Model):
    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="patients")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    preferred_contact = models.CharField(
        max_length=10, choices=ContactChannel.choices, default=ContactChannel.EMAIL
    )
    veteran = models.BooleanField(null=True, blank=True, help_text="Unknown until asked.")
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.NEW, db_index=True)
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="patients",
        help_text="The responsible clinician.",
    )
    # Until the treatment record exists, follow-up schedules can anchor on this date.
    procedure_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [models.Index(fields=["clinic", "stage"], name="patient_clinic_stage")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stage__in=[s.value for s in Stage]), name="patient_stage_known"
            ),
            models.CheckConstraint(
                condition=models.Q(sex__in=[s.value for s in Sex]), name="patient_sex_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def display_name(self) -> str:
        return f"{self.last_name}, {self.first_name}"


class ConsentKind(models.TextChoices):
    CONTACT = "contact", "Contact by the clinic about their enquiry"
    DATA_PROCESSING = "data_processing", "Store and use health information for care"
    CARRY_OVER_SCREENING = "carry_over_screening", "Use self-screen answers for booking and intake"
    OUTCOME_SURVEYS = "outcome_surveys", "Receive follow-up surveys"
    TREATMENT = "treatment", "Treatment consent recorded"


class Consent(models.Model):
    """One consent decision, kept as given: who, what, which wording, when and from where.

    A new decision is a new row (a withdrawal is `granted=False`), so the history is never lost.
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(max_length=30, choices=ConsentKind.choices)
    granted = models.BooleanField()
    wording_version = models.CharField(
        max_length=60, help_text="Which text the person agreed to, e.g. guide-form-v1"
    )
    source = models.CharField(max_length=40, help_text="Where it was given: guide_form, intake, …")
    given_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-given_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind}: {'granted' if self.granted else 'refused'}"
