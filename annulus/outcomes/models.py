"""Follow-up enrolments, invitations per time point, secret survey links, responses and installs.

- ``FollowUp``: one per patient, anchored on the treatment date (the fibrin procedure, the planned
  procedure date, or the date of referral to another treatment; every arm follows the same plan).
- ``Invitation``: one per time point of the plan, with its window (dates in the clinic's zone),
  the instruments asked and a status: scheduled → sent → partial → completed, or missed (window
  closed without an answer) or cancelled.
- ``SurveyLink``: a secret link to one invitation. Only the SHA-256 of the token is stored; the
  email that carried it is linked, so its delivery state is the mail backend's answer.
- ``Response``: at most one per invitation (the database says so), answers per instrument in
  ``InstrumentResponse`` with the score, the instrument id, version and wording hash.
- ``InstalledInstrument`` / ``InstalledTable``: a clinic's licensed text and lookup tables.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from annulus.clinical.vocab import Alternative

FIBRIN_ARM = "fibrin"
ARM_CHOICES = [(FIBRIN_ARM, "Intra-annular fibrin"), *Alternative.choices]


class Anchor(models.TextChoices):
    PROCEDURE = "procedure", "Fibrin procedure recorded"
    PLANNED = "planned", "Planned procedure date"
    REFERRAL = "referral", "Referral to another treatment"


class FollowUpStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    STOPPED = "stopped", "Stopped"


class StopReason(models.TextChoices):
    PATIENT_WITHDREW = "patient-withdrew", "The patient asked to stop"
    CLINIC_DECISION = "clinic-decision", "Clinic decision"
    DIED = "died", "The patient died"
    OTHER = "other", "Other"


class FollowUp(models.Model):
    """A patient's enrolment in a follow-up plan, anchored on their treatment date."""

    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.CASCADE, related_name="follow_up"
    )
    plan_id = models.CharField(max_length=64)
    plan_version = models.PositiveIntegerField()
    # No choices at the database level: the list of alternatives belongs to the clinical app.
    arm = models.CharField(max_length=40)
    anchor = models.CharField(max_length=12, choices=Anchor.choices)
    treatment_date = models.DateField()
    status = models.CharField(
        max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.ACTIVE
    )
    stop_reason = models.CharField(max_length=20, choices=StopReason.choices, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=FollowUpStatus.values), name="follow_up_status_known"
            ),
            models.CheckConstraint(
                condition=Q(status="active", stopped_at__isnull=True)
                | Q(status="stopped", stopped_at__isnull=False),
                name="follow_up_stopped_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Follow-up of patient {self.patient_id} ({self.plan_id} v{self.plan_version})"

    @property
    def arm_label(self) -> str:
        return dict(ARM_CHOICES).get(self.arm, self.arm)


class InvitationStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    SENT = "sent", "Link sent"
    PARTIAL = "partial", "Partial"
    COMPLETED = "completed", "Completed"
    MISSED = "missed", "Missed"
    CANCELLED = "cancelled", "Cancelled"


# Still waiting for the patient: the window may be open and a link may work.
PENDING_STATUSES = (InvitationStatus.SCHEDULED, InvitationStatus.SENT, InvitationStatus.PARTIAL)
MAX_REMINDERS = 2


class Invitation(models.Model):
    """One time point of a patient's plan: its window, the instruments asked, and where it is."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="invitations")
    code = models.CharField(max_length=64)
    label = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField()
    opens = models.DateField()
    due = models.DateField()
    closes = models.DateField()
    # The end of the closing day in the clinic's zone: links stop working then.
    expires_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.SCHEDULED
    )
    instruments = models.JSONField(default=list, help_text="Instrument ids, in survey order")
    # Bumped whenever dates or links change: timers carry it, and a stale timer does nothing.
    revision = models.PositiveIntegerField(default=1)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # A kept answer that no longer falls in its window after the treatment date moved.
    outside_window = models.BooleanField(default=False)
    cancelled_reason = models.CharField(max_length=60, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["follow_up", "position"]
        constraints = [
            models.UniqueConstraint(fields=["follow_up", "code"], name="invitation_one_per_point"),
            models.CheckConstraint(
                condition=Q(status__in=InvitationStatus.values), name="invitation_status_known"
            ),
            models.CheckConstraint(
                condition=Q(opens__lte=F("due"), due__lte=F("closes")),
                name="invitation_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(reminders_sent__lte=MAX_REMINDERS), name="invitation_two_reminders"
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_at__isnull=False),
                name="invitation_completed_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "closes"], name="invitation_status_closes"),
            # The clinic page (``clinic_counts``) at 100,000 patients, a million invitations:
            # time points by status and follow-up (lost to follow-up), waiting ones by opening
            # day (open now; windows ended before the timer ran), open partial answers by end.
            models.Index(
                fields=["status", "follow_up", "position"], name="invitation_status_follow_up"
            ),
            models.Index(
                fields=["opens", "expires_at"],
                condition=Q(status__in=["scheduled", "sent"]),
                name="invitation_waiting_opens",
            ),
            models.Index(
                fields=["expires_at"], condition=Q(status="partial"), name="invitation_partial_ends"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} for follow-up {self.follow_up_id}: {self.status}"


class LinkPurpose(models.TextChoices):
    INVITATION = "invitation", "Invitation"
    REMINDER_1 = "reminder-1", "First reminder"
    REMINDER_2 = "reminder-2", "Second reminder"
    REISSUE = "reissue", "Re-issued by staff"


class SurveyLink(models.Model):
    """A secret link to one invitation. Only the token's SHA-256 is kept."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=12, choices=LinkPurpose.choices)
    email = models.ForeignKey(
        "notifications.OutboundEmail",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(purpose__in=LinkPurpose.values), name="survey_link_purpose_known"
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose} link for invitation {self.invitation_id}"


def _new_ref() -> str:
    return secrets.token_hex(16)


class Response(models.Model):
    """The patient's one response to an invitation, saved page by page."""

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="response")
    # Sent back with every page: a page from another link's survey is refused, not saved here.
    ref = models.CharField(max_length=32, unique=True, default=_new_ref)
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    last_page = models.PositiveSmallIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The window closed before the patient pressed send: what they saved is kept and scored.
    closed_at = models.DateTimeField(null=True, blank=True)
    # True until submitted with every instrument scored.
    partial = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(partial=True) | Q(submitted_at__isnull=False),
                name="response_complete_was_submitted",
            )
        ]

    def __str__(self) -> str:
        return f"Response to invitation {self.invitation_id}"

    @property
    def finished(self) -> bool:
        return self.submitted_at is not None or self.closed_at is not None


class InstrumentResponse(models.Model):
    """Answers to one instrument within a response, and its score once scored."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="instruments")
    instrument_id = models.CharField(max_length=64)
    instrument_version = models.CharField(max_length=40)
    # The wording the patient saw (shipped placeholder or the clinic's licensed text).
    instrument_sha256 = models.CharField(max_length=64)
    # The language the questions were shown in ("en", "es"). The file above is the English one
    # either way: our own questions are translated with gettext (own_wording), not a file of
    # their own. Blank on answers saved before this was recorded (as CheckIn.language).
    language = models.CharField(max_length=8, blank=True)
    answers = models.JSONField(default=dict)
    answered = models.PositiveSmallIntegerField(default=0)
    expected = models.PositiveSmallIntegerField()
    score = models.FloatField(null=True, blank=True)
    score_reason = models.CharField(max_length=300, blank=True)
    raw = models.IntegerField(null=True, blank=True)
    band = models.CharField(max_length=40, blank=True)
    interpretation = models.CharField(max_length=200, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["response", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "instrument_id"], name="instrument_response_once"
            ),
            models.CheckConstraint(
                condition=Q(answered__lte=F("expected")), name="instrument_response_answered_le"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(scored_at__isnull=False),
                name="instrument_response_score_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} in response {self.response_id}"


class InstalledInstrument(models.Model):
    """A clinic's licensed wording for a shipped instrument (same structure, real text)."""

    instrument_id = models.CharField(max_length=64, unique=True)
    version = models.CharField(max_length=40)
    definition = models.JSONField()
    sha256 = models.CharField(max_length=64)
    licence_holder = models.CharField(max_length=300)
    source_name = models.CharField(max_length=300, help_text="The file it was installed from")
    installed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.instrument_id} v{self.version} (licensed text)"


class InstalledTable(models.Model):
    """A clinic-installed lookup table (PROMIS raw sum → T-score, EQ-5D value set)."""

    instrument_id = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=12)
    version = models.CharField(max_length=40)
    definition = models.JSONField()
    sha256 = models.CharField(max_length=64)
    source_name = models.CharField(max_length=300)
    installed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.kind} table for {self.instrument_id} v{self.version}"


class TimePointScores(models.Model):
    """One narrow row per answered time point: its ODI, back NRS and RMDQ scores side by side.

    The registry report reads these instead of joining every instrument score to its response and
    invitation (the join, sort and pivot were most of its time at 100,000 patients). Kept current
    by ``time_point_scores.refresh``, which the actions that score a response call in their
    transaction; a row exists only while its invitation is completed or partial and has one of
    the three scores. Never edited by hand: ``refresh`` rebuilds it from the scores.
    """

    invitation = models.OneToOneField(
        Invitation, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    # Indexed with the code below (the baseline of a follow-up is looked up by both).
    follow_up = models.ForeignKey(
        FollowUp, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    code = models.CharField(max_length=64)
    closes = models.DateField()
    odi = models.FloatField(null=True)
    nrs_back = models.FloatField(null=True)
    rmdq = models.FloatField(null=True)
    # The report's columns, copied from the follow-up's summary by ``follow_up_summary`` (which
    # ``refresh`` calls): the report adds these up without joining each row to its follow-up.
    # NULL only between ``refresh``'s insert and its update, inside one transaction.
    arm = models.CharField(max_length=40, null=True)  # noqa: DJ001
    clinic_id = models.BigIntegerField(null=True)
    treatment_date = models.DateField(null=True)
    d_odi = models.FloatField(null=True)  # change from baseline, NULL without both scores
    d_nrs = models.FloatField(null=True)
    d_rmdq = models.FloatField(null=True)
    evaluable = models.SmallIntegerField(null=True)  # 1: baseline and follow-up ODI
    responder = models.SmallIntegerField(null=True)  # 1: ODI 30 % better than baseline
    composite_known = models.SmallIntegerField(null=True)
    composite_success = models.SmallIntegerField(null=True)

    class Meta:
        indexes = [models.Index(fields=["follow_up", "code"], name="time_point_scores_follow_up")]

    def __str__(self) -> str:
        return f"{self.code} scores of follow-up {self.follow_up_id}"


class FollowUpSummary(models.Model):
    """One row per follow-up with what the outcomes report asks of it: arm, clinic, entry day,
    stop day, first repeat procedure / surgery referral / serious event after entry, adverse
    events on or after entry, baseline scores, and the patient's characteristics at entry.

    Derived, never edited by hand: ``follow_up_summary`` rebuilds it from the follow-up, the
    patient, the clinical record and the score pivot, called by every action that changes one of
    them, in its transaction.
    """

    follow_up = models.OneToOneField(
        FollowUp, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    patient_id = models.BigIntegerField(db_index=True)
    clinic_id = models.BigIntegerField()
    arm = models.CharField(max_length=40)
    treatment_date = models.DateField()
    status = models.CharField(max_length=10)
    stopped_on = models.DateField(null=True)
    repeat_on = models.DateField(null=True)
    referral_on = models.DateField(null=True)
    serious_on = models.DateField(null=True)
    b_odi = models.FloatField(null=True)
    b_nrs = models.FloatField(null=True)
    b_rmdq = models.FloatField(null=True)
    sex = models.CharField(max_length=20)
    veteran = models.BooleanField(null=True)
    age = models.IntegerField(null=True)
    prior_surgery = models.SmallIntegerField()
    ae_any = models.SmallIntegerField()
    ae_related = models.SmallIntegerField()
    ae_serious = models.SmallIntegerField()
    ae_discitis = models.SmallIntegerField()

    def __str__(self) -> str:
        return f"Report summary of follow-up {self.follow_up_id}"
