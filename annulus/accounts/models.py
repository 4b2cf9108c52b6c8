"""Staff users, clinics and memberships.

Patients are not users: they reach their own pages through scoped, expiring links.
"""

from __future__ import annotations

import zoneinfo
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("email: required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A member of staff. Logs in by email; MFA is required before any staff page opens."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May use the Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not an IANA time zone (e.g. America/Chicago).")


class Clinic(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    address_line = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField("state or region", max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    on_call_email = models.EmailField(
        "on-call email",
        blank=True,
        help_text="Where urgent patient alerts go at once, day and night. Required before the "
        "clinic goes live.",
    )
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    # [{"label": "Facebook", "url": "https://…"}] — shown as plain links, never embedded.
    social_links = models.JSONField(default=list, blank=True)
    # The candidacy protocol the clinic evaluates with, "ID@VERSION"; chosen by the clinical
    # director (audited). Empty: the newest released version of the default protocol.
    candidacy_protocol = models.CharField(max_length=80, blank=True)

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def clean(self) -> None:
        for i, link in enumerate(self.social_links or []):
            url = str(link.get("url", "")) if isinstance(link, dict) else ""
            if not url.startswith("https://"):
                raise ValidationError(
                    {"social_links": f"Link {i + 1}: the URL must start https://"}
                )


def public_clinic() -> Clinic | None:
    """The clinic the public site speaks for: one installation serves one clinic's site."""
    return Clinic.objects.order_by("id").first()


class Role(models.TextChoices):
    COORDINATOR = "coordinator", "Coordinator"
    CLINICIAN = "clinician", "Clinician"
    DIRECTOR = "director", "Clinical director"
    ADMIN = "admin", "Administrator"


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "clinic", "role"], name="membership_unique_role"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="membership_role_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.clinic}"


class BreakGlass(models.Model):
    """Emergency access (G8): one patient's record for at most 60 minutes, with a reason.

    Opening one alerts the clinic's directors at once and stays on their review list until a
    director reviews it (annulus/accounts/breakglass.py).
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient_id = models.BigIntegerField(db_index=True)
    reason = models.TextField()
    opened_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("opened_at")),
                name="breakglass_expires_after_opening",
            )
        ]

    def __str__(self) -> str:
        return f"break-glass #{self.pk}"
