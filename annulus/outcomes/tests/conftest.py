"""Fixtures for the outcomes app: a patient with a planned treatment date, clock helpers."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from annulus.patients.models import Patient


def today_in(clinic: Any) -> date:
    return timezone.now().astimezone(clinic.zone).date()


def at(clinic: Any, day: date, hour: int = 12) -> datetime:
    """A moment on `day` in the clinic's zone."""
    return datetime.combine(day, time(hour), tzinfo=clinic.zone)


def make_patient(
    clinic: Any,
    *,
    treated_in_days: int | None = 10,
    email: str = "robin@example.test",
    first: str = "Robin",
) -> Patient:
    procedure = None if treated_in_days is None else today_in(clinic) + timedelta(treated_in_days)
    return Patient.objects.create(
        clinic=clinic, first_name=first, last_name="Example", email=email, procedure_date=procedure
    )


TOKEN_URL = re.compile(r"https?://[^\s]+/survey/([A-Za-z0-9_-]{40,64})/")


def token_in(text: str) -> str:
    match = TOKEN_URL.search(text)
    assert match, text
    return match.group(1)


@pytest.fixture
def patient(clinic: Any) -> Patient:
    """Treatment planned in ten days: the baseline window is open today."""
    return make_patient(clinic)
