"""`{{ value|clinic_time:clinic }}`: a stored instant (UTC) shown in the clinic's zone, labelled.

Staff lists show times the way the clinic lives them, with the zone's abbreviation so nobody has
to guess: "2026-03-08 09:30 CDT". `clinic` is a Clinic (its `timezone`) or an IANA zone name.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import template
from django.utils import dateformat, timezone

register = template.Library()

FORMAT = "Y-m-d H:i T"


def _zone(clinic: Any) -> ZoneInfo:
    name = clinic if isinstance(clinic, str) else getattr(clinic, "timezone", "") or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@register.filter
def clinic_time(value: datetime | None, clinic: Any = None) -> str:
    if value is None or value == "":
        return ""
    if timezone.is_naive(value):
        value = timezone.make_aware(value, ZoneInfo("UTC"))
    local = timezone.localtime(value, _zone(clinic))
    return dateformat.format(local, FORMAT)
