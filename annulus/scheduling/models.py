"""Locations, resources, services, opening hours, appointments and what they hold.

Every instant is stored in UTC (`USE_TZ`); local hours are wall-clock times read in the
location's IANA zone, and only the pure core (`annulus.scheduling.slots`) turns one into the
other. An appointment holds its resources through `Occupancy` rows, one per resource, over the
appointment plus its buffers: the exclusion constraint on those rows is what makes a double
booking impossible on PostgreSQL, whichever code path writes.
"""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.db import models
from django.db.models import Q
from django.utils import timezone

from annulus.accounts.models import validate_timezone
from annulus.scheduling import slots as core
from annulus.scheduling.constraints import PostgresExclusionConstraint, TsTzRange


class Location(models.Model):
    """A place where a clinic sees patients. Its zone is the one its opening hours are read in."""

    clinic = models.ForeignKey(
        "accounts.Clinic", on_delete=models.PROTECT, related_name="locations"
    )
    slug = models.SlugField()
    name = models.CharField(max_length=120)
    timezone = models.CharField(
        max_length=64, validators=[validate_timezone], help_text="IANA zone, e.g. America/Chicago"
    )
    address = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["clinic_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "slug"], name="location_slug_per_clinic"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class ResourceKind(models.TextChoices):
    CLINICIAN = "clinician", "Clinician"
    ROOM = "room", "Room"
    EQUIPMENT = "equipment", "Equipment"


class Resource(models.Model):
    """Something an appointment needs for its whole length: a clinician, a room, a C-arm."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="resources")
    kind = models.CharField(max_length=10, choices=ResourceKind.choices)
    slug = models.SlugField(help_text="Used in the booking API, e.g. dr-ames or procedure-room")
    name = models.CharField(max_length=120)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scheduling_resources",
        help_text="The member of staff, for a clinician.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["location_id", "kind", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "slug"], name="resource_slug_per_clinic"),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in ResourceKind]), name="resource_kind_known"
            ),
            # A clinician is a member of staff; a room or a machine is nobody.
            models.CheckConstraint(
                condition=Q(kind="clinician", user__isnull=False)
                | (~Q(kind="clinician") & Q(user__isnull=True)),
                name="resource_clinician_has_user",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Delivery(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    TELEHEALTH = "telehealth", "Video call"
    EITHER = "either", "In person or by video call"


class Mode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    TELEHEALTH = "telehealth", "Video call"


class Service(models.Model):
    """What a patient books: its length, buffers, notice, horizon and the resources it needs."""

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="services")
    slug = models.SlugField()
    name = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True, help_text="Shown to patients.")
    duration_minutes = models.PositiveSmallIntegerField()
    step_minutes = models.PositiveSmallIntegerField(
        default=15, help_text="Start times lie on this grid from the start of opening hours."
    )
    buffer_before_minutes = models.PositiveSmallIntegerField(default=0)
    buffer_after_minutes = models.PositiveSmallIntegerField(default=0)
    min_notice_minutes = models.PositiveIntegerField(default=24 * 60)
    max_advance_days = models.PositiveSmallIntegerField(default=60)
    online_bookable = models.BooleanField(default=False)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.IN_PERSON)
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["clinic_id", "position", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "slug"], name="service_slug_per_clinic"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0, step_minutes__gt=0),
                name="service_duration_and_step_positive",
            ),
            models.CheckConstraint(
                condition=Q(delivery__in=[d.value for d in Delivery]), name="service_delivery_known"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    @property
    def buffer_before(self) -> timedelta:
        return timedelta(minutes=self.buffer_before_minutes)

    @property
    def buffer_after(self) -> timedelta:
        return timedelta(minutes=self.buffer_after_minutes)

    def timing(self, *, staff: bool = False) -> core.Service:
        """The core's view of this service. Staff book at any notice, up to two years ahead."""
        return core.Service(
            duration=self.duration,
            step=timedelta(minutes=self.step_minutes),
            min_notice=timedelta(0) if staff else timedelta(minutes=self.min_notice_minutes),
            max_advance=timedelta(days=730 if staff else self.max_advance_days),
            buffer_before=self.buffer_before,
            buffer_after=self.buffer_after,
        )

    def modes(self) -> list[str]:
        if self.delivery == Delivery.EITHER:
            return [Mode.IN_PERSON, Mode.TELEHEALTH]
        return [self.delivery]


class ServiceRole(models.Model):
    """One resource a service needs at the same time as the others (a clinician, the room).

    Position 0 leads: slot starts follow its resources' hours, and the API's `resource` names it.
    """

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="roles")
    position = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=60, help_text="e.g. Clinician, Procedure room, C-arm")

    class Meta:
        ordering = ["service_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["service", "position"], name="role_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.service}: {self.label}"


class RoleCandidate(models.Model):
    """A resource that can fill a role, in order of preference (0 first)."""

    role = models.ForeignKey(ServiceRole, on_delete=models.CASCADE, related_name="candidates")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="+")
    preference = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["role_id", "preference", "id"]
        constraints = [
            models.UniqueConstraint(fields=["role", "resource"], name="candidate_once_per_role"),
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.resource} ({self.preference})"


class WeeklyHours(models.Model):
    """A resource is open every `weekday` (Monday=0) from `start` to `end`, local wall time."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="weekly_hours")
    weekday = models.PositiveSmallIntegerField()
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["resource_id", "weekday", "start"]
        verbose_name_plural = "weekly hours"
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="weekly_hours_weekday"),
            models.CheckConstraint(
                condition=Q(start__lt=models.F("end")), name="weekly_hours_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} weekday {self.weekday} {self.start:%H:%M}-{self.end:%H:%M}"


class Closure(models.Model):
    """Closed on local dates first_day..last_day: a holiday (whole location) or leave (resource)."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="closures")
    resource = models.ForeignKey(
        Resource, null=True, blank=True, on_delete=models.CASCADE, related_name="closures"
    )
    first_day = models.DateField()
    last_day = models.DateField()
    reason = models.CharField(max_length=80, blank=True, help_text="e.g. Holiday, Leave")

    class Meta:
        ordering = ["first_day", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(first_day__lte=models.F("last_day")), name="closure_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reason or 'Closed'} {self.first_day}..{self.last_day}"


class ExtraHours(models.Model):
    """One-off opening of a resource on a local date."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="extra_hours")
    day = models.DateField()
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["day", "start", "id"]
        verbose_name_plural = "extra hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=models.F("end")), name="extra_hours_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} on {self.day} {self.start:%H:%M}-{self.end:%H:%M}"


class Status(models.TextChoices):
    BOOKED = "booked", "Booked"
    ARRIVED = "arrived", "Arrived"
    NO_SHOW = "no_show", "No-show"
    CANCELLED = "cancelled", "Cancelled"


# Statuses that hold their resources. A no-show still held them: the time was lost.
ACTIVE = (Status.BOOKED, Status.ARRIVED, Status.NO_SHOW)


class Source(models.TextChoices):
    ONLINE = "online", "Online booking page"
    API = "api", "Booking API"
    STAFF = "staff", "Staff"
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
