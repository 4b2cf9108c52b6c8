"""Fixtures shared by the public-site tests (website, leads, screening).

Imported by each of those test packages' conftest.py.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import call_command

CONTENT = Path(django_settings.BASE_DIR) / "content"


@pytest.fixture(autouse=True)
def _fresh_page_cache() -> Iterator[None]:
    """Cached public pages must not leak from one test into the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site_clinic(db: Any) -> Any:
    """The clinic the public pages show: address, phone, email and a social link."""
    from annulus.accounts.models import Clinic

    return Clinic.objects.create(
        name="Lakeside Spine & Disc (test)",
        slug="lakeside-public",
        address_line="1 Test Street",
        city="Springfield",
        region="IL",
        postal_code="62701",
        phone="+1 555 0142",
        email="hello@lakeside.test",
        timezone="America/Chicago",
        social_links=[{"label": "Facebook", "url": "https://facebook.example.org/lakeside-test"}],
    )


@pytest.fixture
def content_copy(tmp_path: Path, settings: Any) -> Path:
    """A private copy of content/ that a test may edit; the site reads from it."""
    folder = tmp_path / "content"
    shutil.copytree(CONTENT, folder)
    settings.ANNULUS_CONTENT_DIR = folder
    settings.ANNULUS_CONTENT_CHECK_SECONDS = 0  # see an edit at once
    return folder


@pytest.fixture
def guide_dir(tmp_path: Path, settings: Any) -> Path:
    """Printed guide PDFs go to a temporary folder, so every test prints its own."""
    folder = tmp_path / "guide-pdfs"
    settings.ANNULUS_GUIDE_DIR = folder
    return folder


@pytest.fixture
def quick_forms(settings: Any) -> None:
    """Tests fill forms in no time (people take a few seconds) and from one address."""
    settings.ANNULUS_GUIDE_MIN_FILL_SECONDS = 0
    settings.RATE_LIMITS_ON = False


@pytest.fixture
def rate_limits(settings: Any, db: Any) -> None:
    """Rate limits on, with no count left over from earlier tests (the table is not flushed)."""
    from django.core.cache import caches

    settings.RATE_LIMITS_ON = True
    caches["ratelimit"].clear()


def run_worker() -> None:
    """Run every queued background task (guide emails, then their delivery)."""
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
