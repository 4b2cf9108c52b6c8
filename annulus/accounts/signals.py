"""Audit sign-in events. Failed attempts never store the password, only the account if known."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from annulus.audit.actions import AUTH_LOCKOUT, AUTH_LOGIN_FAILURE, AUTH_LOGIN_SUCCESS, AUTH_LOGOUT
from annulus.audit.models import Outcome
from annulus.audit.record import record


@receiver(user_logged_in)
def on_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    from annulus.accounts.middleware import SESSION_STARTED_KEY

    request.session[SESSION_STARTED_KEY] = datetime.now(UTC).timestamp()
    record(AUTH_LOGIN_SUCCESS, request=request, actor=user, details={"step": "password"})


@receiver(user_logged_out)
def on_logout(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(AUTH_LOGOUT, request=request, actor=user)


@receiver(user_login_failed)
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    known = _known_user(credentials.get("username") or credentials.get("email"))
    record(
        AUTH_LOGIN_FAILURE,
        request=request,
        actor=known,
        outcome=Outcome.FAILURE,
        details={"reason": "bad_credentials", "known_account": known is not None},
    )


@receiver(user_locked_out)
def on_locked_out(sender: Any, request: HttpRequest, username: str | None, **kwargs: Any) -> None:
    known = _known_user(username)
    record(
        AUTH_LOCKOUT,
        request=request,
        actor=known,
        outcome=Outcome.DENIED,
        details={"known_account": known is not None},
    )


def _known_user(email: object) -> Any:
    if not isinstance(email, str) or not email.strip():
        return None
    return get_user_model().objects.filter(email__iexact=email.strip()).first()
