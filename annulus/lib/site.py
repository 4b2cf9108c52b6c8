"""This site's address, for absolute links in pages, emails and tasks: one rule for all of them.

ANNULUS_SITE_URL wins when set. It is read each time a link is built and never stored (#17), so
a change of host or port applies to every email sent after it. Else the address the request came
in on; else the caller's fallback: the address a task was handed by the request that queued it,
or DEVELOPMENT_SITE_URL where a bare development run has neither (`make demo` and production
set ANNULUS_SITE_URL).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

__all__ = ["DEVELOPMENT_SITE_URL", "site_base"]

DEVELOPMENT_SITE_URL = "http://127.0.0.1:8000"


def site_base(request: HttpRequest | None = None, fallback: str = "") -> str:
    """This site's origin, without the trailing slash (so `site_base(...) + path`)."""
    base = str(getattr(settings, "ANNULUS_SITE_URL", "") or "")
    if not base and request is not None:
        base = request.build_absolute_uri("/")
    return (base or fallback).rstrip("/")
