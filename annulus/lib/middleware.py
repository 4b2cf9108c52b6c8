"""Request ids, the client's address behind trusted proxies, and rate-limit refunds.

- `RequestIdMiddleware`: one id per request, echoed in X-Request-ID and stored on audit events.
- `client_ip(request)`: the one place that decides who the client is (rate limits, django-axes,
  audit rows). `X-Forwarded-For` is believed only when the peer is one of
  `ANNULUS_TRUSTED_PROXIES`; then the client is the right-most entry that is not itself a
  trusted proxy (entries to its left were written by the client and prove nothing).
- `RateLimitRefundMiddleware`: a form sent back for correction (400/422) does not use up the
  address's allowance.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from annulus.lib.env import IPNetwork

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # A proxy's id is kept only when it is plainly an id, so nothing odd reaches the log.
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    proxies: list[IPNetwork] = settings.TRUSTED_PROXIES
    return any(address in network for network in proxies)


def resolve_client_ip(remote_addr: str | None, forwarded_for: str) -> str | None:
    peer = _ip(remote_addr or "")
    if peer is None:
        return remote_addr or None
    if not forwarded_for or not _trusted(peer):
        return str(peer)
    client = peer
    for entry in reversed(forwarded_for.split(",")):
        address = _ip(entry)
        if address is None:
            break  # garbage: stop at the last address a trusted proxy vouched for
        client = address
        if not _trusted(address):
            break
    return str(client)


def client_ip(request: HttpRequest) -> str | None:
    if "_annulus_client_ip" in request.__dict__:
        cached: str | None = request.__dict__["_annulus_client_ip"]
        return cached
    ip = resolve_client_ip(
        request.META.get("REMOTE_ADDR"), request.META.get("HTTP_X_FORWARDED_FOR", "")
    )
    request.__dict__["_annulus_client_ip"] = ip
    return ip


class RateLimitRefundMiddleware:
    """Give back the rate-limit counts of a request answered 400 or 422 (a form to correct)."""

    REFUND_STATUSES = frozenset({400, 422})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code in self.REFUND_STATUSES:
            from annulus.lib.ratelimit import refund

            refund(request)
        return response


# Pages about one person reached by a secret link (patients) or any signed-in page (staff).
PRIVATE_PREFIXES = (
    "/staff/",
    "/accounts/",
    "/intake/",
    "/survey/",
    "/book/manage/",
    "/book/appointment",
    "/book/details/",
    "/screen/result/",
    "/guide/unsubscribe/",
)


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every staff response and every patient-link page (L4).

    Neither the browser's cache nor a shared proxy may keep a copy of a page with patient data:
    the next person at a shared computer could open it from history.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or request.path.startswith(PRIVATE_PREFIXES):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response
