"""Facts added with protocol annulus-default v2 (spec §6.1): pregnancy, blood thinners,
compensation or litigation, and the PHQ-9. Version 1 mentions none of them.
"""

from __future__ import annotations

from ..context import Context, Kind, Scope, Value
from .registry import add, in_section

__all__: list[str] = []

PHQ9_MAX_AGE_DAYS = 365
"""A PHQ-9 counts when it was answered within this many days before `assessed_on`."""

add(
    "patient.pregnant",
    Scope.CASE,
    Kind.BOOLEAN,
    "Currently pregnant.",
    in_section("patient", "pregnant"),
    "Whether the patient is pregnant",
)


def _may_be_pregnant(ctx: Context) -> Value:
    patient = ctx.case.patient
    if patient.pregnant is not None:
        return patient.pregnant
    return False if patient.sex == "male" else None


add(
    "patient.may_be_pregnant",
    Scope.CASE,
    Kind.BOOLEAN,
    "Pregnant, as recorded; when not recorded, no for a male patient and unknown otherwise.",
    _may_be_pregnant,
    "Whether the patient is pregnant",
)
add(
    "history.anticoagulant_or_antiplatelet",
    Scope.CASE,
    Kind.BOOLEAN,
    "Takes an anticoagulant or antiplatelet drug (aspirin alone included).",
    in_section("history", "anticoagulant_or_antiplatelet"),
    "Whether the patient takes an anticoagulant or antiplatelet drug (aspirin included)",
)
add(
    "history.compensation_or_litigation",
    Scope.CASE,
    Kind.BOOLEAN,
    "An open workers' compensation claim or litigation about the back pain.",
    in_section("history", "compensation_or_litigation"),
    "Whether there is an open compensation claim or litigation about the back pain",
)

_PHQ9_TODO = "PHQ-9 within the last 12 months"


def _phq9_date(ctx: Context) -> Value:
    psychology = ctx.case.psychology
    when = None if psychology is None else psychology.phq9_date
    return None if when is None else when.isoformat()


def _phq9_age_days(ctx: Context) -> Value:
    psychology = ctx.case.psychology
    when = None if psychology is None else psychology.phq9_date
    return None if when is None else (ctx.case.assessed_on - when).days


def _phq9_current(ctx: Context) -> Value:
    psychology = ctx.case.psychology
    if psychology is None or psychology.phq9 is None or psychology.phq9_date is None:
        return None
    age = (ctx.case.assessed_on - psychology.phq9_date).days
    return psychology.phq9 if age <= PHQ9_MAX_AGE_DAYS else None


add(
    "psychology.phq9",
    Scope.CASE,
    Kind.NUMBER,
    "PHQ-9 total, 0-27, as recorded (whatever its date).",
    in_section("psychology", "phq9"),
    _PHQ9_TODO,
    unit="{}/27",
)
add(
    "psychology.phq9_date",
    Scope.CASE,
    Kind.TEXT,
    "When the PHQ-9 was answered (YYYY-MM-DD).",
    _phq9_date,
    _PHQ9_TODO,
)
add(
    "psychology.phq9_age_days",
    Scope.CASE,
    Kind.NUMBER,
    "Days from the PHQ-9 to assessed_on.",
    _phq9_age_days,
    _PHQ9_TODO,
    unit="{} days",
    unit_one="{} day",
)
add(
    "psychology.phq9_current",
    Scope.CASE,
    Kind.NUMBER,
    "The PHQ-9 total when it was answered within 365 days before assessed_on; else unknown.",
    _phq9_current,
    _PHQ9_TODO,
    unit="{}/27",
)
