from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command


@pytest.fixture
def demo_clinic(db: Any) -> Any:
    from annulus.accounts.models import Clinic

    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    return Clinic.objects.get(slug="riverbend")
