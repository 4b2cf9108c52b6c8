"""`StaffRequest`: the request a staff view receives, typed.

`DenyByDefaultMiddleware` sets `clinic` and `membership` on every request it lets through to a
staff view; annotating the view's parameter with this class lets mypy see them without ignores.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from annulus.accounts.models import Clinic, Membership, User


class StaffRequest(HttpRequest):
    clinic: Clinic
    membership: Membership
    user: User
    request_id: str
