"""Days at the clinic: deadlines, assessments and follow-up windows are calendar days where the
clinic is, not in UTC."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone


def clinic_today(of: Any) -> date:
    """Today at the clinic. `of` is a `Clinic`, or anything with a `clinic` (a patient)."""
    clinic = getattr(of, "clinic", of)
    return timezone.now().astimezone(clinic.zone).date()
