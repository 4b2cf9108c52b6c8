"""TOTP enrolment and verification, with single-use backup codes (django-otp).

A reused TOTP code is refused because django-otp remembers the last time step used, and
repeated failures slow down through its throttling.
"""

from __future__ import annotations

from typing import Any

from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from annulus.accounts.mfa_secrets import hash_code

BACKUP_CODE_COUNT = 10


def confirmed_totp(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_totp(user: Any) -> TOTPDevice:
    """The unconfirmed device being enrolled; one per user, reused across page loads."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def confirm_totp(device: TOTPDevice, token: str) -> bool:
    if not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True


def new_backup_codes(user: Any) -> list[str]:
    """Replace every backup code with a fresh set; returns the codes to show once."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name="Backup codes", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    # Only the codes' keyed hashes are stored (bulk_create skips the pre_save that hashes).
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=hash_code(code)) for code in codes
    )
    return codes


def verify(user: Any, token: str) -> Any:
    """The confirmed device that accepts `token`, or None."""
    return match_token(user, token)


def qr_svg(device: TOTPDevice) -> str:
    # Imported here: qrcode (with Pillow) is only for enrolment, and this module loads with the
    # URLconf in every process.
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg: str = image.to_string(encoding="unicode")
    return svg


def manual_key(device: TOTPDevice) -> str:
    from base64 import b32encode

    key = b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))
