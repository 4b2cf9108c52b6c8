"""Caching for the public pages that are the same for everyone (home, articles, sitemap).

The rendered bytes go into Django's cache under a key made of the content version, a site
generation (bumped when the clinic record is saved) and the host and path, so an article edit or a
new clinic phone number produces new pages without a flush. Browsers and proxies may keep a page
for `MAX_AGE` seconds and revalidate it with its ETag. Only the body is cached, never a response,
so no cookie or per-visitor header is ever replayed to someone else.

Form pages (guide, self-screen) are never cached here: they carry a CSRF token.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control

MAX_AGE = 300  # seconds a browser or proxy may reuse a page before asking again
SERVER_TTL = 300  # how long another process may show an old clinic address after an edit
GENERATION_KEY = "public-site:generation"

View = Callable[..., HttpResponse]


def _content_version() -> str:
    # Imported on first use: the content library (markdown, YAML, pydantic) takes most of a
    # second to import, and every process imports this module at start-up (website/apps.py).
    from annulus.website.content import library

    return str(library().version)


def bump_generation(**_: Any) -> None:
    """Invalidate every cached public page in this process (the clinic record changed)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


def cached_public_page(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        generation = cache.get(GENERATION_KEY, 0)
        site = f"{request.scheme}|{request.get_host()}|{request.path}"
        raw = f"{_content_version()}|{generation}|{site}"
        key = "public-page:v2:" + hashlib.sha256(raw.encode()).hexdigest()
        hit = cache.get(key)
        if hit is None:
            response = view(request, *args, **kwargs)
            # A page with a flash message on it is one visitor's page: do not keep it.
            if response.status_code != 200 or len(get_messages(request)) > 0:
                return response
            body, content_type = response.content, response["Content-Type"]
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            cache.set(key, (body, content_type, etag), SERVER_TTL)
        else:
            body, content_type, etag = hit
            response = HttpResponse(body, content_type=content_type)
        response["ETag"] = etag
        patch_cache_control(response, public=True, max_age=MAX_AGE)
        conditional = get_conditional_response(request, etag=etag, response=response)
        return conditional if conditional is not None else response

    return wrapper
