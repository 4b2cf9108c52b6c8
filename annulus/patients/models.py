"""The patient record: who the person is, how to reach them, and where they are in the path."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from annulus.screening.red_flags import FLAG_IDS


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


class Language(models.TextChoices):
    """What the patient reads: their emails, reminders, survey links and PDFs (issue #18)."""

    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish"


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
    language = models.CharField(
        max_length=8,
        choices=Language.choices,
        default=Language.ENGLISH,
        help_text="Set from the form they used; emails, surveys and PDFs are sent in it.",
    )
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
        indexes = [
            models.Index(fields=["clinic", "stage"], name="patient_clinic_stage"),
            # The staff list's order within a clinic: a late page walks this index.
            models.Index(
                fields=["clinic", "last_name", "first_name", "id"], name="patient_clinic_sort"
            ),
        ]
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


# Every red-flag question, in the order `screening.red_flags` asks them (protocol version 2).
RED_FLAG_FIELDS = FLAG_IDS


class IntakeStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted by the patient, awaiting review"
    REVIEWED = "reviewed", "Reviewed by staff"


def _nullable_bool(help_text: str = "") -> models.BooleanField[bool | None, bool | None]:
    return models.BooleanField(null=True, blank=True, help_text=help_text)


class Intake(models.Model):
    """Symptoms, red flags, care so far and history, in the case-file's vocabulary.

    Empty means unknown, never "no": the candidacy engine turns unknowns into to-do items.
    """

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="intake")
    status = models.CharField(
        max_length=10, choices=IntakeStatus.choices, default=IntakeStatus.DRAFT
    )
    # symptoms
    back_pain_duration_months = models.FloatField(null=True, blank=True)
    back_pain_nrs = models.FloatField("Back pain (0-10, past 7 days)", null=True, blank=True)
    leg_pain_nrs = models.FloatField("Leg pain (0-10, past 7 days)", null=True, blank=True)
    leg_pain_below_knee = _nullable_bool()
    radicular_signs = _nullable_bool(
        "Clinician's examination: dermatomal deficit, reflex loss, SLR"
    )
    symptom_notes = models.TextField(blank=True)
    # red flags: the engine's ids (screening/red_flags.py holds the questions)
    saddle_anesthesia = _nullable_bool()
    bladder_or_bowel_dysfunction = _nullable_bool()
    bilateral_sciatica = _nullable_bool()
    new_sexual_dysfunction = _nullable_bool()
    progressive_neurological_deficit = _nullable_bool()
    fever = _nullable_bool()
    infection_risk = _nullable_bool()
    immunosuppression = _nullable_bool()
    iv_drug_use = _nullable_bool()
    cancer_history = _nullable_bool()
    unexplained_weight_loss = _nullable_bool()
    night_or_rest_pain = _nullable_bool()
    recent_significant_trauma = _nullable_bool("In the past 3 months")
    fragility_trauma = _nullable_bool("A fall or minor injury with osteoporosis or long steroids")
    # conservative care
    conservative_care_months = models.FloatField(null=True, blank=True)
    exercise_or_physical_therapy = _nullable_bool()
    epidural_steroid_received = _nullable_bool()
    epidural_steroid_sustained_relief = _nullable_bool("Relief lasted 3 months or more")
    # history
    medications = models.TextField(blank=True)
    opioid_mme_per_day = models.FloatField("Opioids (MME/day)", null=True, blank=True)
    bleeding_disorder = _nullable_bool()
    fibrin_sealant_allergy = _nullable_bool("Including aprotinin")
    # Protocol annulus-default v2 facts (spec §6.1), same names as the case file.
    pregnant = _nullable_bool("Currently pregnant")
    anticoagulant_or_antiplatelet = _nullable_bool(
        "Takes an anticoagulant or antiplatelet drug (aspirin alone included)"
    )
    compensation_or_litigation = _nullable_bool(
        "An open workers' compensation claim or litigation about the back pain"
    )
    facet_block_not_indicated = _nullable_bool("Clinician judged facet pain unlikely")
    # baseline questionnaires
    odi = models.FloatField("ODI (%)", null=True, blank=True)
    rmdq = models.PositiveSmallIntegerField("RMDQ (0-24)", null=True, blank=True)
    phq9 = models.PositiveSmallIntegerField("PHQ-9 total (0-27)", null=True, blank=True)
    phq9_date = models.DateField("PHQ-9 answered on", null=True, blank=True)
    consent_to_treatment_information = _nullable_bool(
        "Agreed that the clinic stores and uses this information for their care"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(back_pain_nrs__isnull=True)
                | Q(back_pain_nrs__gte=0, back_pain_nrs__lte=10),
                name="intake_back_nrs_range",
            ),
            models.CheckConstraint(
                condition=Q(leg_pain_nrs__isnull=True)
                | Q(leg_pain_nrs__gte=0, leg_pain_nrs__lte=10),
                name="intake_leg_nrs_range",
            ),
            models.CheckConstraint(
                condition=Q(odi__isnull=True) | Q(odi__gte=0, odi__lte=100), name="intake_odi_range"
            ),
            models.CheckConstraint(
                condition=Q(rmdq__isnull=True) | Q(rmdq__lte=24), name="intake_rmdq_range"
            ),
            models.CheckConstraint(
                condition=Q(phq9__isnull=True) | Q(phq9__lte=27), name="intake_phq9_range"
            ),
            models.CheckConstraint(
                condition=Q(opioid_mme_per_day__isnull=True) | Q(opioid_mme_per_day__gte=0),
                name="intake_mme_positive",
            ),
            models.CheckConstraint(
                condition=Q(back_pain_duration_months__isnull=True)
                | Q(back_pain_duration_months__gte=0),
                name="intake_duration_positive",
            ),
            models.CheckConstraint(
                condition=Q(conservative_care_months__isnull=True)
                | Q(conservative_care_months__gte=0),
                name="intake_care_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"Intake of patient {self.patient_id}"


class IntakeLink(models.Model):
    """A secret link that lets one patient fill in their own intake. Only the hash is stored."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="intake_links")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Intake link for patient {self.patient_id}"


class AccessReportRequest(models.Model):
    """A patient's request, from their secure link, for the accounting of who accessed their
    record (HIPAA 164.528). Staff produce the report and send it; producing it fulfils every open
    request (annulus/patients/access_report.py). One open request per patient, so a double
    submit adds nothing."""

    patient = models.ForeignKey(
        Patient, on_delete=models.CASCADE, related_name="access_report_requests"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    fulfilled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(fulfilled_at__isnull=True),
                name="access_report_one_open_request",
            )
        ]

    def __str__(self) -> str:
        return f"Access report request of patient {self.patient_id}"

    @property
    def answer_by(self) -> object:
        """HIPAA 164.528(c): the clinic acts within 60 days of the request."""
        return self.requested_at + timedelta(days=60)


class ChangeRecord(models.Model):
    """Who changed which clinical record, when, and every field's value before and after."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="changes")
    record_type = models.CharField(max_length=60)
    record_id = models.CharField(max_length=40)
    action = models.CharField(
        max_length=10, choices=[("create", "Created"), ("update", "Changed"), ("delete", "Deleted")]
    )
    # {"field": [before, after]}
    changes = models.JSONField(default=dict)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via_patient_link = models.BooleanField(default=False)
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.record_type} {self.record_id}"


class CommunityCareAuthorization(models.Model):
    """A VA Community Care referral and what it authorizes."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="va_authorizations")
    referral_number = models.CharField(max_length=40)
    seoc = models.CharField("SEOC", max_length=120, help_text="Standardized Episode of Care")
    authorized_services = models.TextField()
    visits_authorized = models.PositiveSmallIntegerField()
    valid_from = models.DateField()
    valid_to = models.DateField()
    region = models.CharField(max_length=40, blank=True)
    third_party_administrator = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-valid_to", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=models.F("valid_from")), name="va_auth_dates_ordered"
            ),
            models.CheckConstraint(condition=Q(visits_authorized__gte=1), name="va_auth_visits"),
            # One row per referral: an extension (RFS) edits it rather than adding a copy.
            models.UniqueConstraint(
                fields=["patient", "referral_number"], name="va_auth_referral_once_per_patient"
            ),
        ]

    def __str__(self) -> str:
        return f"VA referral {self.referral_number}"


class AuthorizedVisit(models.Model):
    """A visit counted against an authorization; the claim is due within 180 days of it."""

    authorization = models.ForeignKey(
        CommunityCareAuthorization, on_delete=models.CASCADE, related_name="visits"
    )
    visit_date = models.DateField()
    description = models.CharField(max_length=120)
    claim_submitted_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["visit_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["authorization", "visit_date", "description"], name="va_visit_once"
            ),
            models.CheckConstraint(
                condition=Q(claim_submitted_on__isnull=True)
                | Q(claim_submitted_on__gte=models.F("visit_date")),
                name="va_visit_claim_after_visit",
            ),
        ]

    def __str__(self) -> str:
        return f"Visit {self.visit_date}"
