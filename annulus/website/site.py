"""Small helpers the public pages share: absolute URLs and the booking link."""

from __future__ import annotations

from functools import cache
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest
from django.urls import Resolver404, resolve

__all__ = ["BOOKING_PATH", "absolute_url", "booking_available", "booking_url"]

BOOKING_PATH = "/book/"


def absolute_url(request: HttpRequest, path: str) -> str:
    """`path` on this site. ANNULUS_SITE_URL (e.g. https://clinic.example) wins over the Host."""
    base = str(getattr(settings, "ANNULUS_SITE_URL", "") or "").rstrip("/")
    if base:
        return base + path
    return request.build_absolute_uri(path)


@cache
def booking_available() -> bool:
    """True once the booking pages are installed (they are built beside this app)."""
    try:
        resolve(BOOKING_PATH)
    except Resolver404:
        return False
    return True


def booking_url(*, screening_token: str | None = None) -> str:
    """The contract with booking: a consultation, and the screening token only when given."""
    params = {"service": "consultation"}
    if screening_token:
        params["screening"] = screening_token
    return f"{BOOKING_PATH}?{urlencode(params)}"
