"""The JSON API at /api/v1/ (django-ninja; OpenAPI at /api/v1/openapi.json).

Deny by default here too: every endpoint needs a verified staff session unless its router or
operation says `auth=None` (public booking endpoints, which carry their own rate limits).
Apps add their routers with `api.add_router(...)` below.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.security import SessionAuth

from annulus.accounts.session import current_membership


class VerifiedStaffSession(SessionAuth):
    """A signed-in member of staff who passed MFA and belongs to a clinic."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = request.user
        if not (user.is_authenticated and user.is_verified()):  # type: ignore[attr-defined]
            return None
        membership = current_membership(request)
        if membership is None:
            return None
        request.clinic = membership.clinic  # type: ignore[attr-defined]
        return user


api = NinjaAPI(
    title="Annulus API",
    version="1",
    urls_namespace="api",
    auth=VerifiedStaffSession(),
    docs_url=None,  # the interactive docs page loads scripts from other origins; the spec suffices
)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """A body that is not JSON is a 422 naming the body, like every other bad input (L1)."""
    if exc.status_code == 400:
        detail = [{"loc": ["body"], "msg": "the request body must be JSON", "type": "json_invalid"}]
        return api.create_response(request, {"detail": detail}, status=422)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


api.add_router("/", "annulus.scheduling.api.router")
api.add_router("/", "annulus.scheduling.api_waitlist.router")
