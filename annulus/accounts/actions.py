"""Every write of accounts from a page: the clinic's settings and a user's second factor.

One transaction each, with its audit event; they take the acting user and an `AuditContext`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from annulus.accounts import mfa
from annulus.audit.actions import (
    AUTH_MFA_BACKUP_CODES_REPLACED,
    AUTH_MFA_ENROLLED,
    CLINIC_SETTINGS_UPDATED,
)
from annulus.audit.context import AuditContext
from annulus.audit.record import record

if TYPE_CHECKING:
    from annulus.accounts.models import Clinic, User


def update_clinic_settings(
    clinic: Clinic, *, actor: User | None, ctx: AuditContext, changed: Iterable[str]
) -> Clinic:
    """Save the clinic's edited details; `changed` names the form fields that changed."""
    with transaction.atomic():
        clinic.save()
        record(
            CLINIC_SETTINGS_UPDATED,
            ctx=ctx,
            actor=actor,
            clinic=clinic,
            obj=clinic,
            details={"fields": sorted(changed)},
        )
    return clinic


def enrol_totp(
    user: User, device: TOTPDevice, token: str, *, ctx: AuditContext
) -> list[str] | None:
    """Confirm the authenticator app with its first code and make the backup codes.

    One transaction, so a crash can never leave a confirmed app without backup codes. Returns
    the codes to show once, or None when the code did not match (nothing else changes then).
    """
    with transaction.atomic():
        if not mfa.confirm_totp(device, token):
            return None
        codes = mfa.new_backup_codes(user)
        record(AUTH_MFA_ENROLLED, ctx=ctx, actor=user)
    return codes


def replace_backup_codes(user: User, *, ctx: AuditContext) -> list[str]:
    """A fresh set of backup codes; the old ones stop working. Returns the codes to show once."""
    with transaction.atomic():
        codes = mfa.new_backup_codes(user)
        record(AUTH_MFA_BACKUP_CODES_REPLACED, ctx=ctx, actor=user)
    return codes
