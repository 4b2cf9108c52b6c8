"""Personas for tests: a clinic, its staff by role, and an outsider from another clinic.

Each helper creates only what the test asks for. Signing in goes through the real session keys
that django-otp and the session-lifetime middleware read, so tests exercise the real checks.
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count
from typing import Any

from django.contrib.auth.hashers import Argon2PasswordHasher
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from annulus.accounts.middleware import SESSION_STARTED_KEY
from annulus.accounts.models import Clinic, Membership, Role, User

PASSWORD = "correct horse battery staple"
_seq = count(1)


class CheapArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 still, at its lowest cost: for the test suite only (see conftest).

    At the production cost one hash takes 0.1-0.3 s of CPU, and the suite creates staff (one hash
    each) in most of its tests, so the hashing alone cost minutes per pass. The algorithm, the
    encoded form and the checks are the production ones; only the work factors differ.
    """

    time_cost = 1
    memory_cost = 8
    parallelism = 1


def make_clinic(name: str = "Lakeside Spine (test)", tz: str = "America/Chicago") -> Clinic:
    n = next(_seq)
    return Clinic.objects.create(name=name, slug=f"clinic-{n}", timezone=tz, phone="+1 555 0199")


def make_staff(
    clinic: Clinic, role: Role = Role.CLINICIAN, *, email: str | None = None, mfa: bool = True
) -> User:
    n = next(_seq)
    user = User.objects.create_user(email or f"{role.value}{n}@test.annulus.test", PASSWORD)
    Membership.objects.create(user=user, clinic=clinic, role=role)
    if mfa:
        TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return user


def current_totp(user: User, *, offset_steps: int = 0) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = datetime.now(UTC).timestamp() + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def sign_in(client: Client, user: User, *, verified: bool = True) -> Client:
    """A signed-in session; `verified=False` stops after the password step."""
    client.force_login(user)
    session = client.session
    session[SESSION_STARTED_KEY] = datetime.now(UTC).timestamp()
    if verified:
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def audit_actions(**filters: Any) -> list[str]:
    from annulus.audit.models import AuditEvent

    return list(AuditEvent.objects.filter(**filters).values_list("action", flat=True))
