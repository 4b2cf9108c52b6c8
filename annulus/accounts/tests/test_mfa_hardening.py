"""M2/M3: the session id rotates at each sign-in step; MFA secrets are unreadable at rest."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from annulus.accounts import mfa
from annulus.accounts.mfa_secrets import hash_code, is_encrypted, is_hashed
from annulus.testing import PASSWORD, current_totp

pytestmark = pytest.mark.django_db


def session_id(client) -> str:
    return client.cookies["sessionid"].value


def raw(sql: str, params: list[object]) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def test_the_session_id_changes_at_login_and_again_at_the_code(client, clinician):
    client.get("/accounts/login/")
    client.session.save()
    anonymous = client.session.session_key
    client.post("/accounts/login/", {"username": clinician.email, "password": PASSWORD})
    password_only = session_id(client)
    assert password_only != anonymous
    response = client.post("/accounts/mfa/?next=/staff/", {"token": current_totp(clinician)})
    assert response.status_code == 302
    verified = session_id(client)
    assert verified != password_only
    assert client.get("/staff/").status_code == 200
    # A copy of the password-only cookie, stolen before the code step, is worth nothing now.
    client.cookies["sessionid"] = password_only
    assert client.get("/staff/").status_code == 302


def test_totp_seeds_are_stored_encrypted_and_still_verify(client, clinician):
    device = TOTPDevice.objects.get(user=clinician)
    [(stored,)] = raw("SELECT key FROM otp_totp_totpdevice WHERE id = %s", [device.pk])
    assert is_encrypted(str(stored))
    assert device.bin_key.hex() not in str(stored)
    assert len(device.bin_key) == 20
    client.post("/accounts/login/", {"username": clinician.email, "password": PASSWORD})
    response = client.post("/accounts/mfa/", {"token": current_totp(clinician)})
    assert response.status_code == 302


def test_backup_codes_are_stored_as_hashes_and_work_once(clinician):
    codes = mfa.new_backup_codes(clinician)
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert len(stored) == len(codes)
    assert not stored & set(codes)
    assert all(is_hashed(token) for token in stored)
    assert mfa.verify(clinician, codes[0]) is not None
    assert mfa.verify(clinician, codes[1]) is not None
    assert mfa.verify(clinician, codes[0]) is None  # used up


def test_the_data_migration_encrypts_and_hashes_existing_rows(clinician):
    device = TOTPDevice.objects.get(user=clinician)
    seed = device.bin_key.hex()
    codes = mfa.new_backup_codes(clinician)
    # Put the rows back the way django-otp stored them before (plain), behind the model's back.
    TOTPDevice.objects.filter(pk=device.pk).update(key=seed)
    static = StaticToken.objects.order_by("id")
    for token, code in zip(static, codes, strict=True):
        StaticToken.objects.filter(pk=token.pk).update(token=code)
    migration = importlib.import_module(
        "annulus.accounts.migrations.0002_mfa_secrets_and_break_glass"
    )
    migration.forward(django_apps, None)
    [(stored,)] = raw("SELECT key FROM otp_totp_totpdevice WHERE id = %s", [device.pk])
    assert is_encrypted(str(stored))
    assert TOTPDevice.objects.get(pk=device.pk).bin_key.hex() == seed
    assert set(StaticToken.objects.values_list("token", flat=True)) == {hash_code(c) for c in codes}
    assert mfa.verify(clinician, codes[2]) is not None
