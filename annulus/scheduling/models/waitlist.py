"""The waitlist: patients waiting for a time of a service, and the offers a freed time makes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class WaitStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    OFFERED = "offered", "Offer sent"
    BOOKED = "booked", "Booked from an offer"
    LAPSED = "lapsed", "Offer expired"
    REMOVED = "removed", "Removed"


# An entry holds its place in the queue while waiting or while an offer is out.
OPEN = (WaitStatus.WAITING, WaitStatus.OFFERED)


class WaitlistEntry(models.Model):
    """One patient waiting for a time of one service, first come first offered.

    When a time of the service frees up (a cancellation or a move), the first waiting entry gets
    an offer: that start, held for nobody, which the patient books through an emailed link
    before `offer_expires_at`. An offer that expires lapses the entry and passes the time on.
    Only the hashes of the offer link's token and of the place's own link are stored.
    """

    clinic = models.ForeignKey("accounts.Clinic", on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey(
        "scheduling.Service", on_delete=models.PROTECT, related_name="waitlist"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="waitlist_entries"
    )
    status = models.CharField(max_length=8, choices=WaitStatus.choices, default=WaitStatus.WAITING)
    joined_at = models.DateTimeField(default=timezone.now)
    joined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    offer_start = models.DateTimeField(null=True, blank=True)
    offer_resource = models.CharField(max_length=50, blank=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    offer_token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    offers_made = models.PositiveSmallIntegerField(default=0)
    appointment = models.ForeignKey(
        "scheduling.Appointment", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    closed_at = models.DateTimeField(null=True, blank=True)
    # The place's own link, for someone who joined without a booking (no manage link to show
    # it): derived from SECRET_KEY and this salt as a booking's is; only its hash is stored.
    manage_salt = models.CharField(max_length=32, null=True, blank=True, unique=True)
    manage_token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["joined_at", "id"]
        indexes = [
            models.Index(fields=["service", "status", "joined_at"], name="waitlist_queue"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in WaitStatus]), name="waitlist_status_known"
            ),
            # One place in the queue per patient and service.
            models.UniqueConstraint(
                fields=["service", "patient"],
                condition=Q(status__in=["waiting", "offered"]),
                name="waitlist_once_per_service",
            ),
            models.CheckConstraint(
                condition=~Q(status="offered")
                | Q(offer_start__isnull=False, offer_expires_at__isnull=False),
                name="waitlist_offer_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"waitlist entry {self.pk} for service {self.service_id}: {self.status}"
