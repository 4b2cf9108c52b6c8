"""Which language a public page is in, and where the same page lives in the other languages.

The public URLs are wrapped in `i18n_patterns` (annulus/urls.py): English unprefixed, Spanish under
`/es/`. Templates get `lang_prefix` for their fixed links ("" or "/es") and `language_alternates`
for the switch and the hreflang links. Django's `translate_url` does the mapping, so there is no
hand-made table of paths to keep in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation

from annulus.website.site import absolute_url

__all__ = ["Alternate", "alternates", "language_context", "prefixed"]


@dataclass(frozen=True)
class Alternate:
    code: str
    name: str
    path: str  # the same page in this language, query string kept
    url: str  # the same, absolute (hreflang links and the sitemap want that)
    current: bool


def prefixed(path: str, language: str | None = None) -> str:
    """`path` (an English, unprefixed public path) as it is spelled in `language`."""
    code = language or translation.get_language() or settings.LANGUAGE_CODE
    if code == settings.LANGUAGE_CODE or not path.startswith("/"):
        return path
    return f"/{code}{path}"


def alternates(request: HttpRequest) -> list[Alternate]:
    """The page in every language, or [] when it has only one (staff pages, the API)."""
    here = request.get_full_path()
    current = translation.get_language() or settings.LANGUAGE_CODE
    found = []
    for code, name in settings.LANGUAGES:
        path = translate_url(here, code)
        found.append(Alternate(code, name, path, absolute_url(request, path), code == current))
    if len({a.path for a in found}) < len(found):
        return []
    return found


def language_context(request: HttpRequest) -> dict[str, Any]:
    """Context processor for the language switch, hreflang links and fixed links."""
    current = translation.get_language() or settings.LANGUAGE_CODE
    return {
        "lang_prefix": "" if current == settings.LANGUAGE_CODE else f"/{current}",
        "language_alternates": alternates(request),
    }
