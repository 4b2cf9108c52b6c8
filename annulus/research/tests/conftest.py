from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def demo_clinic(demo_seeded_once: None, db: Any) -> Any:
    """The demo clinic, seeded once per test module (annulus/conftest.py)."""
    from annulus.accounts.models import Clinic

    return Clinic.objects.get(slug="riverbend")
