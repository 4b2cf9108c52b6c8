"""Appointments, the resources they hold, their reminders and the booking API's idempotency keys."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from annulus.scheduling.constraints import PostgresExclusionConstraint, TsTzRange
from annulus.scheduling.models.setup import Location, Mode, Resource, Service


class Status(models.TextChoices):
    BOOKED = "booked", _("Booked")
    ARRIVED = "arrived", _("Arrived")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")


# Statuses that hold their resources. A no-show still held them: the time was lost.
ACTIVE = (Status.BOOKED, Status.ARRIVED, Status.NO_SHOW)


class Source(models.TextChoices):
    ONLINE = "online", "Online booking page"
    API = "api", "Booking API"
    STAFF = "staff", "Staff"
    WAITLIST = "waitlist", "Waitlist offer"
    DEMO = "demo", "Demo seed"


class AppointmentQuerySet(models.QuerySet["Appointment"]):
    def in_clinic(self, clinic: object) -> AppointmentQuerySet:
        return self.filter(clinic=clinic)

    def active(self) -> AppointmentQuerySet:
        return self.filter(status__in=ACTIVE)


class Appointment(models.Model):
    """A booked visit [start, end) in UTC. The resources it holds are its `occupancies`."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="appointments")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="appointments"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.IN_PERSON)
    source = models.CharField(max_length=10, choices=Source.choices)
    # The manage link's token is derived from SECRET_KEY and this random salt; only its hash is
    # stored (see links.py), so a copy of the database cannot be turned into working links.
    manage_salt = models.CharField(max_length=32, unique=True)
    manage_token_hash = models.CharField(max_length=64, unique=True)
    # One booking per booking form: a double-clicked confirm button finds the first booking.
    # NULL, not "", when there is no form (staff, API): unique ignores NULLs.
    form_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    screening_id = models.BigIntegerField(
        null=True, blank=True, help_text="The self-check whose answers the patient carried over."
    )
    sequence = models.PositiveIntegerField(
        default=0, help_text="iCalendar SEQUENCE: bumps on change"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    arrived_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by_patient = models.BooleanField(default=False)
    # A no-show is a follow-up item on the staff worklist until it is rebooked or dismissed.
    follow_up_closed_at = models.DateTimeField(null=True, blank=True)
    follow_up_outcome = models.CharField(
        max_length=10, blank=True, choices=[("rebooked", "Rebooked"), ("dismissed", "Dismissed")]
    )

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["clinic", "start"], name="appointment_clinic_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=models.F("end")), name="appointment_order"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in Status]), name="appointment_status_known"
            ),
            models.CheckConstraint(
                condition=Q(mode__in=[m.value for m in Mode]), name="appointment_mode_known"
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled", cancelled_at__isnull=False)
                | (~Q(status="cancelled") & Q(cancelled_at__isnull=True)),
                name="appointment_cancelled_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} at {self.start:%Y-%m-%d %H:%M} UTC ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return self.location.zone


class Occupancy(models.Model):
    """One resource held by one appointment over [start, end), buffers included.

    `active` copies whether the appointment still holds its resources (an exclusion
    constraint can only read its own row). On PostgreSQL no two active rows of one resource
    may overlap; `[)` bounds let one booking end exactly when the next begins.
    """

    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="occupancies"
    )
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="occupancies")
    role_position = models.PositiveSmallIntegerField(default=0)
    start = models.DateTimeField()
    end = models.DateTimeField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["start", "role_position"]
        indexes = [models.Index(fields=["resource", "start"], name="occupancy_resource_start")]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "resource"], name="occupancy_resource_once"
            ),
            models.CheckConstraint(condition=Q(start__lt=models.F("end")), name="occupancy_order"),
            PostgresExclusionConstraint(
                name="occupancy_no_double_booking",
                expressions=[
                    ("resource", RangeOperators.EQUAL),
                    (TsTzRange("start", "end", RangeBoundary()), RangeOperators.OVERLAPS),
                ],
                condition=Q(active=True),
                violation_error_message="This resource is already booked at that time.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} holds {self.start:%Y-%m-%d %H:%M}-{self.end:%H:%M} UTC"


class ReminderStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    QUEUED = "queued", "Email queued"
    SKIPPED = "skipped", "Skipped (no email address)"
    DROPPED = "dropped", "Dropped (moved or cancelled)"


class Reminder(models.Model):
    """A reminder email due `due_at`, run by a background task that re-checks it first.

    Rescheduling drops the old reminders and schedules new ones; cancelling drops them. Whether
    the email left is the outbox's business: `email` points at it, with its real delivery state.
    """

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=4)  # "48h" or "2h"
    due_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.SCHEDULED
    )
    task_id = models.CharField(max_length=64, blank=True)
    email = models.ForeignKey(
        "notifications.OutboundEmail", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["appointment", "kind"],
                condition=Q(status="scheduled"),
                name="reminder_one_scheduled_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ReminderStatus]),
                name="reminder_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} reminder for appointment {self.appointment_id}: {self.status}"


class IdempotencyKey(models.Model):
    """An `Idempotency-Key` the API has answered, with the first answer, replayed on repeats.

    Written in the same transaction as the booking, so a key exists only if its booking does.
    """

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the request body")
    status_code = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True)
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} key answered {self.status_code}"
