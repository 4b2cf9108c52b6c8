"""The patient's manage link, a waitlist place's own link, and how times are written for people.

The manage token is derived from SECRET_KEY and the appointment's random salt (as the leads'
unsubscribe token is derived from SECRET_KEY), and only its SHA-256 is stored: the same link
works in every email, an API replay can give it again, and a copy of the database alone opens
nothing.
"""

from __future__ import annotations

import base64
import hmac
import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import dateformat, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from annulus.lib.tokens import looks_like_token, token_hash
from annulus.scheduling.models import Appointment, WaitlistEntry

_SALT = "annulus.scheduling.manage"
_PLACE_SALT = "annulus.scheduling.waitlist_place"  # a place's link never opens a booking


def new_salt() -> str:
    return secrets.token_hex(16)


def manage_token_for_salt(salt: str) -> str:
    digest = salted_hmac(_SALT, salt, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def manage_token(appointment: Appointment) -> str:
    return manage_token_for_salt(appointment.manage_salt)


def find_by_manage_token(token: str) -> Appointment | None:
    if not looks_like_token(token):
        return None
    appointment = (
        Appointment.objects.select_related("service", "location", "clinic", "patient")
        .filter(manage_token_hash=token_hash(token))
        .first()
    )
    # The hash matched; compare the derived token in constant time as well.
    if appointment is not None and hmac.compare_digest(manage_token(appointment), token):
        return appointment
    return None


def manage_url(appointment: Appointment, base: str) -> str:
    return base + reverse("scheduling:manage_link", args=[manage_token(appointment)])


def place_token_for_salt(salt: str) -> str:
    digest = salted_hmac(_PLACE_SALT, salt, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def find_place_by_token(token: str) -> WaitlistEntry | None:
    """The waitlist place whose own link this is (someone who joined without a booking)."""
    if not looks_like_token(token):
        return None
    entry = (
        WaitlistEntry.objects.select_related("service__location", "clinic", "patient")
        .filter(manage_token_hash=token_hash(token))
        .first()
    )
    salt = entry.manage_salt if entry is not None else None
    if salt and hmac.compare_digest(place_token_for_salt(salt), token):
        return entry
    return None


def place_url(entry: WaitlistEntry, base: str) -> str | None:
    if not entry.manage_salt:
        return None
    token = place_token_for_salt(entry.manage_salt)
    return base + reverse("scheduling:waitlist_place_link", args=[token])


def local(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone)


def day_label(instant: datetime, zone: ZoneInfo) -> str:
    """e.g. "Tuesday 1 December 2026", in the location's zone."""
    at = instant.astimezone(zone)
    if (translation.get_language() or "en").startswith("en"):
        return f"{at:%A} {at.day} {at:%B %Y}"
    # Other languages: Django's own day and month names, in the order the language writes them.
    return dateformat.format(at, pgettext("day label date format", "l j F Y"))


def time_label(instant: datetime, zone: ZoneInfo) -> str:
    """e.g. "9:00 AM CST": 12-hour clock with the zone's abbreviation (tells a repeated hour's
    two passes apart on the night clocks fall back)."""
    at = instant.astimezone(zone)
    hour = at.hour % 12 or 12
    half = pgettext("time of day", "AM") if at.hour < 12 else pgettext("time of day", "PM")
    return f"{hour}:{at:%M} {half} {at:%Z}"


def when_label(start: datetime, zone: ZoneInfo) -> str:
    return _("%(day)s at %(time)s") % {
        "day": day_label(start, zone),
        "time": time_label(start, zone),
    }
