"""MFA secrets at rest (M3): TOTP seeds encrypted, backup codes stored as keyed hashes.

The key comes from `ANNULUS_MFA_KEY` / `ANNULUS_MFA_KEY_FILE` (required in production; same
scheme as the audit key: `kid:secret` lines, the last one current), never from the database, so
a copy of the database cannot pass MFA.

- TOTP seeds: django-otp keeps `TOTPDevice.key` as hex. Before a device is saved its seed is
  replaced with `~kid~` + AES-256-GCM(seed), and `bin_key` (which every django-otp path uses to
  check a code or draw the QR code) decrypts it. Legacy hex seeds still work until the data
  migration (accounts 0007) or the next save encrypts them.
- Backup codes: `StaticToken.token` holds `h` + 15 hex characters of HMAC-SHA256(key, code);
  checking a code hashes it with every loaded key. The code itself is shown once and never stored.

django-otp 1.7 has no hook for either, so `install()` (called from AccountsConfig.ready) sets
`TOTPDevice.bin_key` and `StaticDevice.verify_token` and connects the pre_save signals.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from binascii import unhexlify
from typing import Any

from django.conf import settings
from django.db.models.signals import pre_save
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from annulus.audit.keys import AuditKeys

PREFIX = "~"
HASH_PREFIX = "h"
HASH_LENGTH = 16  # StaticToken.token's max_length
_AAD = b"annulus.totp-seed.v1"


def _keys() -> AuditKeys:
    keys: AuditKeys = settings.MFA_KEYS
    return keys


def _aes(secret: bytes) -> Any:
    # Imported on first use: this module loads in every process (AccountsConfig.ready) and
    # cryptography's AEAD costs start-up time that only MFA enrolment and sign-in need.
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(hashlib.sha256(b"annulus-mfa-aes:" + secret).digest())


def _mac_key(secret: bytes) -> bytes:
    return hashlib.sha256(b"annulus-mfa-hash:" + secret).digest()


def is_encrypted(value: str) -> bool:
    return value.startswith(PREFIX)


def encrypt_seed(hex_key: str) -> str:
    keys = _keys()
    secret = keys.secret(keys.current)
    assert secret is not None
    nonce = os.urandom(12)
    sealed = _aes(secret).encrypt(nonce, unhexlify(hex_key), _AAD)
    value = f"{PREFIX}{keys.current}{PREFIX}" + base64.urlsafe_b64encode(nonce + sealed).decode()
    if len(value) > 80:  # TOTPDevice.key's max_length
        raise ValueError("the MFA key id is too long to store with a seed (12 characters at most)")
    return value


def decrypt_seed(value: str) -> bytes:
    if not is_encrypted(value):
        return unhexlify(value.encode())  # a legacy plain seed, until migrated
    kid, _, blob = value[len(PREFIX) :].partition(PREFIX)
    secret = _keys().secret(kid)
    if secret is None:
        raise LookupError(f"the MFA key {kid!r} that encrypted this seed is not loaded")
    raw = base64.urlsafe_b64decode(blob)
    return _aes(secret).decrypt(raw[:12], raw[12:], _AAD)


def hash_code(code: str, secret: bytes | None = None) -> str:
    if secret is None:
        keys = _keys()
        secret = keys.secret(keys.current)
        assert secret is not None
    normalized = code.strip().lower().replace(" ", "").replace("-", "")
    digest = hmac.new(_mac_key(secret), normalized.encode(), hashlib.sha256).hexdigest()
    return HASH_PREFIX + digest[: HASH_LENGTH - len(HASH_PREFIX)]


def is_hashed(value: str) -> bool:
    return len(value) == HASH_LENGTH and value.startswith(HASH_PREFIX)


def code_candidates(code: str) -> list[str]:
    """The stored forms `code` may have: its hash under every loaded key."""
    return [hash_code(code, secret) for secret in _keys().keys.values()]


def _bin_key(self: TOTPDevice) -> bytes:
    return decrypt_seed(self.key)


def _static_verify_token(self: StaticDevice, token: str) -> bool:
    """django-otp's StaticDevice.verify_token, matching the code's hash instead of the code."""
    verify_allowed, _ = self.verify_is_allowed()
    match = None
    if verify_allowed:
        match = self.token_set.filter(token__in=code_candidates(str(token))).first()
        if match is not None:
            match.delete()
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
        else:
            self.throttle_increment()
    return match is not None


def _encrypt_before_save(sender: Any, instance: TOTPDevice, **kwargs: Any) -> None:
    if instance.key and not is_encrypted(instance.key):
        instance.key = encrypt_seed(instance.key)


def _hash_before_save(sender: Any, instance: StaticToken, **kwargs: Any) -> None:
    if instance.token and not is_hashed(instance.token):
        instance.token = hash_code(instance.token)


def install() -> None:
    TOTPDevice.bin_key = property(_bin_key)
    StaticDevice.verify_token = _static_verify_token
    pre_save.connect(_encrypt_before_save, sender=TOTPDevice, dispatch_uid="annulus-totp-seed")
    pre_save.connect(_hash_before_save, sender=StaticToken, dispatch_uid="annulus-backup-code")
