"""What a clinic offers: locations, resources, services and the roles that fill them."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from annulus.accounts.models import validate_timezone
from annulus.scheduling import slots as core


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
    IN_PERSON = "in_person", _("In person")
    TELEHEALTH = "telehealth", _("Video call")
    EITHER = "either", "In person or by video call"


class Mode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    TELEHEALTH = "telehealth", _("Video call")


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
