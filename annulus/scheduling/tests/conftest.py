from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command


@pytest.fixture
def schedule(clinic: Any) -> Any:
    from annulus.scheduling.tests.factories import make_schedule

    return make_schedule(clinic)


@pytest.fixture(autouse=True)
def _no_rate_limits(request: pytest.FixtureRequest) -> None:
    """Tests book from one address many times; the rate-limit tests turn limits back on.

    The pure core's tests (tests/core) stay free of Django.
    """
    if "core" in request.node.path.parts:
        return
    request.getfixturevalue("settings").RATE_LIMITS_ON = False


@pytest.fixture
def rate_limits(settings: Any, db: Any) -> None:
    from django.core.cache import caches

    settings.RATE_LIMITS_ON = True
    caches["ratelimit"].clear()


def run_worker() -> None:
    """Run every background task that is due (email delivery)."""
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
