"""Deny by default, and end sessions after 12 hours whatever the activity."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import auth, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from annulus.accounts import breakglass, permissions
from annulus.accounts.policy import PASSWORD_ONLY, PUBLIC, access_level
from annulus.accounts.session import current_membership, roles_in_clinic

SESSION_STARTED_KEY = "annulus_auth_started"


class SessionLifetimeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            now = datetime.now(UTC).timestamp()
            max_age = settings.ANNULUS_SESSION_MAX_AGE.total_seconds()
            if started is None or now - float(started) > max_age:
                auth.logout(request)
                messages.info(
                    request, "Your session reached its 12-hour limit. Please sign in again."
                )
        return self.get_response(request)


class DenyByDefaultMiddleware:
    """Staff pages need a signed-in user who passed MFA and belongs to a clinic."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        level = access_level(view)
        if level == PUBLIC:
            return None
        user = request.user
        if not user.is_authenticated:
            if settings.SESSION_COOKIE_NAME in request.COOKIES:
                messages.info(request, "Your session ended. Please sign in again.")
            return _redirect("accounts:login", request)
        if level == PASSWORD_ONLY:
            return None
        # is_verified() is added to the user by django-otp's OTPMiddleware.
        if not user.is_verified():  # type: ignore[attr-defined]
            return _redirect("accounts:mfa", request)
        request.membership = current_membership(request)  # type: ignore[attr-defined]
        if request.membership is None:  # type: ignore[attr-defined]
            raise PermissionDenied("Your account is not a member of any clinic yet.")
        request.clinic = request.membership.clinic  # type: ignore[attr-defined]
        # The permission matrix (accounts/permissions.yaml): the role must hold the route's
        # capability for this method, whatever the view itself checks.
        match = request.resolver_match
        method = request.method or "GET"
        if match is not None and not self._permitted(
            request, match.view_name, method, match.kwargs
        ):
            raise PermissionDenied("Your role in this clinic does not include this page.")
        return None

    @staticmethod
    def _permitted(request: HttpRequest, route: str, method: str, kwargs: dict[str, Any]) -> bool:
        if permissions.allowed(route, method, roles_in_clinic(request)):
            return True
        # Break-glass: a time-boxed, reviewed grant opens one patient's pages for reading.
        clinic = request.clinic  # type: ignore[attr-defined]
        return breakglass.opens(route, method, kwargs) and (
            breakglass.active_grant(request.user, clinic, kwargs["pk"]) is not None
        )


def _redirect(name: str, request: HttpRequest) -> HttpResponse:
    target = reverse(name)
    if request.method == "GET":
        target += "?" + urlencode({"next": request.get_full_path()})
    return HttpResponseRedirect(target)


class RotateSessionOnVerifyMiddleware:
    """A new session id the moment the second factor is verified (M2).

    Django's login() already rotates the id after the password. Without a second rotation, a
    cookie stolen between the two steps (password only) would become a fully verified session.
    Whichever view verifies the device (sign-in, enrolment), the id and the CSRF token change
    before the response is sent.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.middleware.csrf import rotate_token
        from django_otp import DEVICE_ID_SESSION_KEY

        before = request.session.get(DEVICE_ID_SESSION_KEY)
        response = self.get_response(request)
        after = request.session.get(DEVICE_ID_SESSION_KEY)
        if after and after != before:
            request.session.cycle_key()
            rotate_token(request)
        return response
