"""The free guide as a PDF, built with WeasyPrint from content/guide.md (guide.es.md in Spanish).

The PDF is stored under `var/guide/` named by a hash of the HTML it is printed from. That HTML
holds the Markdown, the disclaimer, the template and the clinic's details, so any change to them
gives a new hash and a new PDF on the next request, while an unchanged guide is built once.
WeasyPrint may not fetch anything: no URL other than `data:` is allowed.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext

from annulus.website.content import library

__all__ = ["GuidePdf", "build_guide_pdf", "guide_html"]


@dataclass(frozen=True)
class GuidePdf:
    content: bytes
    filename: str
    version: str  # the hash the file is named by
    path: Path


def guide_html(clinic: Any, language: str = "en") -> str:
    """The guide's printable HTML in `language`: its text, disclaimer, headings and dates."""
    lib = library().in_language(language)
    with translation.override(language):
        return render_to_string(
            "leads/guide_pdf.html",
            {
                "guide": lib.guide,
                "disclaimer_html": lib.disclaimer_html,
                "clinic": clinic,
                "language": language,
            },
        )


def _folder() -> Path:
    return Path(getattr(settings, "ANNULUS_GUIDE_DIR", Path(settings.VAR_DIR) / "guide"))


def build_guide_pdf(clinic: Any, language: str = "en") -> GuidePdf:
    """The guide for this clinic in `language`, from the file cache or freshly printed.

    Each language's HTML differs, so each has its own hash and file.
    """
    import weasyprint  # imported here: it is slow to load and logs its stylesheets

    html = guide_html(clinic, language)
    version = hashlib.sha256(f"{weasyprint.__version__}\0{html}".encode()).hexdigest()[:16]
    folder = _folder()
    path = folder / f"guide-{version}.pdf"
    name = slugify(getattr(clinic, "name", "") or "clinic")[:40]
    with translation.override(language):
        # Translators: part of a file name; lower case, hyphens, no accents.
        label = gettext("guide-to-disc-pain")
    filename = f"{name}-{label}.pdf"
    if path.exists():
        return GuidePdf(path.read_bytes(), filename, version, path)
    fetcher = weasyprint.urls.URLFetcher(allowed_protocols={"data"})
    content = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
    assert content is not None
    folder.mkdir(parents=True, exist_ok=True)
    # Write then rename, so a concurrent reader never sees half a file.
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".guide-", suffix=".pdf")
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    os.replace(tmp, path)
    return GuidePdf(content, filename, version, path)
