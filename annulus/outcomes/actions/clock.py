"""Shared pieces of the outcomes actions: the error type and the clinic's clock.

Dates of windows are days in the clinic's zone; moments are aware datetimes (UTC in the database).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from annulus.outcomes.events import invitations_planned  # noqa: F401  (re-exported)
from annulus.outcomes.models import Invitation


class OutcomesError(ValueError):
    """An action refused with a message staff can read."""


# ---- time ----------------------------------------------------------------------------------


def local_day(clinic: Any, now: datetime) -> date:
    return now.astimezone(clinic.zone).date()


def local_moment(clinic: Any, day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=clinic.zone)


def window_end(clinic: Any, closes: date) -> datetime:
    """Links work until the end of the closing day, in the clinic's zone."""
    return local_moment(clinic, closes + timedelta(days=1), time(0))


def window_is_open(invitation: Invitation, now: datetime) -> bool:
    clinic = invitation.follow_up.patient.clinic
    return invitation.opens <= local_day(clinic, now) and now < invitation.expires_at
