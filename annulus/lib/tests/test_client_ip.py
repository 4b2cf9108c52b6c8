"""M4: the client's address behind trusted proxies, used by rate limits, lockout and audit rows."""

from __future__ import annotations

import ipaddress

import pytest
from django.test import RequestFactory

from annulus.audit.context import AuditContext
from annulus.lib.env import EnvError, env_networks
from annulus.lib.middleware import client_ip, resolve_client_ip

PROXY = "10.0.0.5"


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("10.0.0.0/24")]


@pytest.mark.parametrize(
    ("peer", "xff", "expected"),
    [
        (PROXY, "203.0.113.9", "203.0.113.9"),
        # The client wrote the left part itself; the right-most untrusted entry is the truth.
        (PROXY, "1.2.3.4, 203.0.113.9", "203.0.113.9"),
        (PROXY, "1.2.3.4, 203.0.113.9, 10.0.0.7", "203.0.113.9"),
        (PROXY, "", PROXY),
        (PROXY, "garbage, 10.0.0.7", "10.0.0.7"),
        (PROXY, "2001:db8::1", "2001:db8::1"),
        # An untrusted peer's header is never believed.
        ("198.51.100.7", "1.2.3.4", "198.51.100.7"),
    ],
)
def test_it_believes_the_header_only_from_a_trusted_peer(behind_proxy, peer, xff, expected):
    assert resolve_client_ip(peer, xff) == expected


def test_without_trusted_proxies_it_is_remote_addr(settings):
    settings.TRUSTED_PROXIES = []
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == PROXY


def test_audit_rows_use_the_real_client(behind_proxy):
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert AuditContext.from_request(request).ip == "203.0.113.9"


def test_axes_uses_the_same_address(behind_proxy):
    from axes.helpers import get_client_ip_address

    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert get_client_ip_address(request) == "203.0.113.9"


def test_a_bad_proxy_setting_is_named_at_start_up():
    with pytest.raises(EnvError, match=r"ANNULUS_TRUSTED_PROXIES: '10\.0\.0\.300/8'"):
        env_networks(
            "ANNULUS_TRUSTED_PROXIES", {"ANNULUS_TRUSTED_PROXIES": "127.0.0.1,10.0.0.300/8"}
        )
    assert env_networks("P", {"P": "127.0.0.1, 10.0.0.0/8"}) == [
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("10.0.0.0/8"),
    ]


@pytest.mark.django_db
def test_visitors_behind_one_proxy_have_their_own_allowance(behind_proxy, settings):
    from django.core.cache import caches

    from annulus.lib import ratelimit

    settings.RATE_LIMITS_ON = True
    caches["ratelimit"].clear()
    factory = RequestFactory()

    def visit(ip: str) -> bool:
        request = factory.post("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ip)
        return ratelimit.hit(request, "test.scope", limit=2, per_seconds=3600)

    assert [visit("203.0.113.1") for _ in range(3)] == [True, True, False]
    assert visit("203.0.113.2") is True
