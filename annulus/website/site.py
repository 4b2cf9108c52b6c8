"""Small helpers the public pages share: absolute URLs and the booking link."""

from __future__ import annotations

from functools import cache
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import Resolver404, resolve

from annulus.lib.site import site_base

__all__ = ["BOOKING_PATH", "absolute_url", "booking_available", "booking_url"]

BOOKING_PATH = "/book/"


def absolute_url(request: HttpRequest, path: str) -> str:
    """`path` (from the root, "/...") on this site: annulus.lib.site decides the address."""
    return site_base(request) + path


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
