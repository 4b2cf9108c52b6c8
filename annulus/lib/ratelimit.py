"""Fixed-window rate limits for public endpoints, shared by every process through the database.

`ANNULUS_RATE_LIMITS=off` turns them off for load tests. The address is `client_ip()` (the real
client behind trusted proxies). A request answered 400/422 gets its counts back
(`RateLimitRefundMiddleware`), so correcting a form never uses up the allowance.
"""

from __future__ import annotations

import contextlib
import hashlib
import time

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest

from annulus.lib.middleware import client_ip


def hit(request: HttpRequest, scope: str, *, limit: int, per_seconds: int) -> bool:
    """Count one request from this address in `scope`; False when it is over the limit."""
    if not settings.RATE_LIMITS_ON:
        return True
    window = int(time.time() // per_seconds)
    # The address is hashed so the cache table holds no IP addresses.
    who = hashlib.sha256(f"{scope}:{client_ip(request)}".encode()).hexdigest()[:32]
    key = f"rl:{scope}:{who}:{window}"
    cache = caches["ratelimit"]
    if cache.add(key, 1, timeout=per_seconds + 5):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=per_seconds + 5)
            count = 1
    keys: list[str] = request.__dict__.setdefault("_annulus_ratelimit_keys", [])
    keys.append(key)
    return count <= limit


def refund(request: HttpRequest) -> None:
    """Take back the counts this request added (it was a form sent back for correction)."""
    cache = caches["ratelimit"]
    for key in request.__dict__.pop("_annulus_ratelimit_keys", []):
        with contextlib.suppress(ValueError):  # the window ended meanwhile
            cache.decr(key)
