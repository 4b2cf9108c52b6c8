"""Accounts actions: MFA enrolment is one transaction."""

from __future__ import annotations

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken

from annulus.accounts import mfa
from annulus.accounts.actions import enrol_totp
from annulus.accounts.models import Role
from annulus.audit.context import AuditContext
from annulus.audit.models import AuditEvent
from annulus.testing import make_staff

pytestmark = pytest.mark.django_db


def test_a_crash_while_making_backup_codes_leaves_the_app_unconfirmed(clinic, monkeypatch):
    user = make_staff(clinic, Role.COORDINATOR, mfa=False)
    device = mfa.pending_totp(user)
    token = f"{TOTP(device.bin_key).token():06d}"

    def crash(user):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(mfa, "new_backup_codes", crash)
    with pytest.raises(RuntimeError):
        enrol_totp(user, device, token, ctx=AuditContext.system("test"))
    assert mfa.confirmed_totp(user) is None
    assert not AuditEvent.objects.filter(action="auth.mfa.enrolled").exists()


def test_it_confirms_the_app_and_makes_backup_codes_together(clinic):
    user = make_staff(clinic, Role.COORDINATOR, mfa=False)
    device = mfa.pending_totp(user)
    codes = enrol_totp(
        user, device, f"{TOTP(device.bin_key).token():06d}", ctx=AuditContext.system("test")
    )
    assert codes is not None and len(codes) == mfa.BACKUP_CODE_COUNT
    assert mfa.confirmed_totp(user) == device
    assert StaticToken.objects.filter(device__user=user).count() == mfa.BACKUP_CODE_COUNT
    assert AuditEvent.objects.get(action="auth.mfa.enrolled").actor == user


def test_a_wrong_code_confirms_nothing(clinic):
    user = make_staff(clinic, Role.COORDINATOR, mfa=False)
    device = mfa.pending_totp(user)
    wrong = f"{(TOTP(device.bin_key).token() + 1) % 1_000_000:06d}"
    assert enrol_totp(user, device, wrong, ctx=AuditContext.system("test")) is None
    assert mfa.confirmed_totp(user) is None
    assert not StaticToken.objects.filter(device__user=user).exists()
