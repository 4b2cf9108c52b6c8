"""The synthetic demo clinic's staff. Invented people only; the addresses use reserved domains.

Seeding is idempotent: running it again keeps the accounts, resets their demo passwords, and tops
the backup codes back up to ten (fixed per account, since only their hashes are stored), printing
them so a visitor can sign in.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from annulus.accounts.mfa import BACKUP_CODE_COUNT
from annulus.accounts.mfa_secrets import hash_code
from annulus.accounts.models import Clinic, Membership, Role, User

DEMO_PASSWORD = "demo-annulus-2026"  # noqa: S105  (printed on purpose: demo only)
DEMO_CLINIC = {
    "slug": "riverbend",
    "name": "Riverbend Spine & Disc Clinic (demo)",
    "address_line": "100 Example Avenue, Suite 200",
    "city": "Springfield",
    "region": "IL",
    "postal_code": "62701",
    "phone": "+1 555 0100",
    "email": "hello@demo.annulus.test",
    "timezone": "America/Chicago",
    "social_links": [{"label": "Facebook", "url": "https://facebook.example.org/riverbend-demo"}],
}
DEMO_STAFF = [
    ("coordinator@demo.annulus.test", "Casey Coordinator", Role.COORDINATOR),
    ("clinician@demo.annulus.test", "Dr Morgan Clinician", Role.CLINICIAN),
    ("director@demo.annulus.test", "Dr Jordan Director", Role.DIRECTOR),
    ("admin@demo.annulus.test", "Alex Admin", Role.ADMIN),
]


@dataclass
class DemoLogin:
    email: str
    role: str
    password: str
    totp_uri: str
    backup_codes: list[str]


def demo_totp_key(email: str) -> str:
    """A fixed key per demo account, so the printed authenticator link survives a re-seed."""
    return hashlib.sha256(f"annulus-demo-totp:{email}".encode()).hexdigest()[:40]


def demo_backup_codes(email: str) -> list[str]:
    """Fixed codes per demo account: only hashes are stored, so a re-seed derives them again."""
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    codes = []
    for i in range(BACKUP_CODE_COUNT):
        digest = hashlib.sha256(f"annulus-demo-backup:{email}:{i}".encode()).digest()
        codes.append("".join(alphabet[b % 32] for b in digest[:8]))
    return codes


def seed_clinic() -> Clinic:
    defaults = {k: v for k, v in DEMO_CLINIC.items() if k != "slug"}
    clinic, _ = Clinic.objects.get_or_create(slug=DEMO_CLINIC["slug"], defaults=defaults)
    return clinic


def seed_staff(clinic: Clinic) -> list[DemoLogin]:
    logins = []
    for email, name, role in DEMO_STAFF:
        user, _ = User.objects.get_or_create(email=email, defaults={"full_name": name})
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        Membership.objects.get_or_create(user=user, clinic=clinic, role=role)
        totp, _ = TOTPDevice.objects.get_or_create(
            user=user,
            name="Authenticator app",
            defaults={"key": demo_totp_key(email), "confirmed": True},
        )
        static, _ = StaticDevice.objects.get_or_create(
            user=user, name="Backup codes", defaults={"confirmed": True}
        )
        codes = demo_backup_codes(email)
        static.token_set.all().delete()
        StaticToken.objects.bulk_create(
            StaticToken(device=static, token=hash_code(code)) for code in codes
        )
        logins.append(DemoLogin(email, role.label, DEMO_PASSWORD, totp.config_url, codes))
    return logins
