from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from annulus.accounts.models import public_clinic


def clinic(request: HttpRequest) -> dict[str, Any]:
    """The clinic shown in page chrome: the staff member's clinic, else the public site's."""
    current = getattr(request, "clinic", None)
    if current is None:
        current = public_clinic()
    return {"site_clinic": current}
