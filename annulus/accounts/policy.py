"""Who may open a route. Every view is staff-only unless marked otherwise here.

DenyByDefaultMiddleware reads the mark. A route that anyone may open is decorated `@public`;
the MFA pages, which a signed-in user must reach before verifying, are `@password_only`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

PUBLIC = "public"
PASSWORD_ONLY = "password_only"  # noqa: S105  (an access level, not a secret)
STAFF = "staff"


def public(view: F) -> F:
    view.annulus_access = PUBLIC  # type: ignore[attr-defined]
    return view


def password_only(view: F) -> F:
    view.annulus_access = PASSWORD_ONLY  # type: ignore[attr-defined]
    return view


def access_level(view: Callable[..., Any]) -> str:
    return getattr(view, "annulus_access", STAFF)
