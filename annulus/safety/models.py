"""Alerts (a warning sign that must reach a clinician) and post-procedure check-ins.

An alert is raised in the same transaction as the answer that caused it and stays open until a
clinician acknowledges it with what they did. Its emails go through the notifications outbox, so
their delivery state is the mail backend's real answer.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Severity(models.TextChoices):
    EMERGENCY = "emergency", "Emergency"
    URGENT = "urgent", "Urgent"
    REVIEW = "review", "Review"


SEVERITY_ORDER = {Severity.EMERGENCY: 0, Severity.URGENT: 1, Severity.REVIEW: 2}


class Source(models.TextChoices):
    INTAKE = "intake", "Patient's intake link"
    SELF_SCREEN = "self_screen", "Self-screen"
    SURVEY = "survey", "Survey or check-in"
    STAFF = "staff", "Recorded by staff"
    CANDIDACY = "candidacy", "Candidacy decision"


class AckAction(models.TextChoices):
    CALLED_PATIENT = "called_patient", "Called the patient"
    SENT_TO_EMERGENCY = "sent_to_emergency", "Told the patient to go to an emergency department"
    SAME_DAY_VISIT = "same_day_visit", "Booked a same-day or next-day visit"
    REFERRED = "referred", "Referred to another service"
    ADVERSE_EVENT = "adverse_event", "Recorded an adverse event"
    REVIEWED_NO_ACTION = "reviewed_no_action", "Reviewed: no action needed"
    ALREADY_KNOWN = "already_known", "Already known and being managed"
    OTHER = "other", "Other (say what)"


class Alert(models.Model):
    """One warning sign for one patient, open until a clinician acknowledges it."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="alerts")
    severity = models.CharField(max_length=10, choices=Severity.choices)
    source = models.CharField(max_length=12, choices=Source.choices)
    code = models.CharField(max_length=60, help_text="The sign, e.g. saddle_anesthesia")

    # What raised it: {"question": id, "answer": "yes", "wording": version}. Codes, no free text.
    answer = models.JSONField(default=dict, blank=True)
    # Which record holds the answer, e.g. "intake:12" or "checkin:5": one open alert per sign each.
    source_ref = models.CharField(max_length=60)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # 0: first delivery; 1: sent again after 15 minutes; 2: escalated to the clinical director.
    escalation_level = models.PositiveSmallIntegerField(default=0)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action_taken = models.CharField(max_length=30, choices=AckAction.choices, blank=True)
    action_note = models.TextField(blank=True)
    adverse_event = models.ForeignKey(
        "clinical.AdverseEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["acknowledged_at", "-created_at", "-id"]
        indexes = [models.Index(fields=["clinic", "acknowledged_at"], name="alert_clinic_open")]
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__in=[s.value for s in Severity]), name="alert_severity_known"
            ),
            models.CheckConstraint(
                condition=Q(source__in=[s.value for s in Source]), name="alert_source_known"
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True) | ~Q(action_taken=""),
                name="alert_ack_has_action",
            ),
            models.UniqueConstraint(
                fields=["patient", "code", "source_ref"],
                condition=Q(acknowledged_at__isnull=True),
                name="alert_one_open_per_sign",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.severity} alert {self.pk}: {self.code}"

    @property
    def sign(self) -> str:
        """The sign in words for staff pages ("Saddle anesthesia"); the code stays beside it."""
        return self.code.replace("_", " ").capitalize()

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None


class ProcedureKind(models.TextChoices):
    FIBRIN = "fibrin", "Fibrin injection"
    DISCOGRAPHY = "discography", "Discography"
    DIAGNOSTIC_BLOCK = "diagnostic_block", "Diagnostic block"


DISC_PROCEDURES = {ProcedureKind.FIBRIN, ProcedureKind.DISCOGRAPHY}


class CheckInKind(models.TextChoices):
    HOURS_72 = "72h", "48–72-hour check-in"
    WEEKS_2 = "2w", "2-week check-in"


class CheckIn(models.Model):
    """A short safety check-in after a procedure, answered through a secret link."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="safety_check_ins"
    )
    procedure_kind = models.CharField(max_length=20, choices=ProcedureKind.choices)
    procedure_ref = models.CharField(max_length=60, help_text="e.g. FibrinProcedure:3")
    procedure_on = models.DateField()
    kind = models.CharField(max_length=4, choices=CheckInKind.choices)
    opens_at = models.DateTimeField()
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    link_expires_at = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # The language the questions were read in ("en", "es"): the same wording version in either,
    # recorded so answers given in one language can be found (see questions.WORDING_VERSION).
    language = models.CharField(max_length=8, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["opens_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "procedure_ref", "kind"], name="checkin_once_per_procedure"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} check-in of patient {self.patient_id}"
