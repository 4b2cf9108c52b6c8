"""Fixed-window rate limits for public endpoints, shared by every process through the database.

`ANNULUS_RATE_LIMITS=off` turns them off for load tests.
"""

from __future__ import annotations

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
    return count <= limit
