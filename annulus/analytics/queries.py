"""The report's counts and sums, aggregated in the database: a handful of queries per report,
whatever the number of patients.

They read two tables kept current by the actions (``annulus/outcomes/follow_up_summary.py``), so
that a report neither builds nor joins anything per follow-up:

- ``outcomes.FollowUpSummary``, one row per follow-up: arm, clinic, entry day, stop day, first
  secondary procedure and serious event, adverse events, baseline scores and characteristics;
- ``outcomes.TimePointScores``, one row per answered time point, carrying its follow-up's arm,
  clinic and entry day, its changes from baseline and its responder and composite flags.

- ``cohort_counts``: per arm, enrolled and due at each time point, plus the baseline
  characteristics;
- ``score_sql.score_aggregates``: per arm and time point, who answered, ODI responders, the
  composite and the sums for mean changes;
- ``survival_groups``: (arm, days, event, patients) for Kaplan-Meier;
- ``adverse_event_counts``: patients with an adverse event after entry, by kind.

Arms: the follow-up's arm, grouped into the report's four (``ARM_BUCKETS``). A patient enters on
their follow-up's treatment date (the fibrin procedure, or the referral/decision date). The
filters (clinic, arm, entry days) are columns of both tables.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Q

from annulus.lib.analytic_sql import analytic_queries
from annulus.outcomes.follow_up_summary import COMPOSITE_CODES as COMPOSITE_CODES
from annulus.outcomes.follow_up_summary import SURGERY_ARMS
from annulus.outcomes.models import FIBRIN_ARM
from annulus.outcomes.schedule import STANDARD_PLAN

ARMS = ("fibrin_injection", "conservative_care", "surgery_referral", "other")
ARM_LABELS = {
    "fibrin_injection": "Fibrin injection",
    "conservative_care": "Conservative care",
    "surgery_referral": "Referred for fusion or other surgery",
    "other": "Other routes",
}
# Follow-up arm → report arm. Anything not listed is "other".
ARM_BUCKETS = {
    FIBRIN_ARM: "fibrin_injection",
    "conservative_care": "conservative_care",
    **{arm: "surgery_referral" for arm in SURGERY_ARMS},
}

# The plan's follow-up time points the report reads (the 2-week safety call asks no disability).
REPORT_CODES = ("week-6", "month-3", "month-6", "month-12", "month-24", "month-36", "month-48",
                "month-60")  # fmt: skip
MONTHS = {"week-6": 1.5, **{f"month-{m}": m for m in (3, 6, 12, 24, 36, 48, 60)}}
PLAN_POINTS = {p.code: p for p in STANDARD_PLAN.points}
SURVIVAL_CODES = ("month-6", "month-12", "month-24", "month-36", "month-48", "month-60")


@dataclass(frozen=True)
class Filters:
    clinic_id: int | None = None
    arm: str | None = None  # one of ARMS
    treated_from: date | None = None
    treated_to: date | None = None


def tuned() -> AbstractContextManager[None]:
    """One transaction for the report's queries, with PostgreSQL settings that suit them
    (``annulus.lib.analytic_sql``: no JIT compilation, sorts in memory)."""
    return analytic_queries()


SUMMARY = "outcomes_followupsummary"  # one row per follow-up, see the module's docstring


def _bucket_sql(column: str) -> str:
    whens = " ".join(f"WHEN {column} = '{arm}' THEN '{b}'" for arm, b in ARM_BUCKETS.items())
    return f"(CASE {whens} ELSE 'other' END)"


def where(filters: Filters, alias: str) -> tuple[str, list[Any]]:
    """The filters as SQL over a table with the columns ``clinic_id``, ``arm`` (the follow-up's
    own) and ``treatment_date``, with its parameters."""
    clauses: list[str] = []
    params: list[Any] = []
    if filters.clinic_id is not None:
        clauses.append(f"{alias}.clinic_id = %s")
        params.append(filters.clinic_id)
    if filters.arm:
        # The follow-up arms of the report arm ("other": none of the named ones), compared as
        # they are stored rather than mapped per row.
        if filters.arm == "other":
            arms, test = list(ARM_BUCKETS), "NOT IN"
        else:
            arms = [arm for arm, bucket in ARM_BUCKETS.items() if bucket == filters.arm]
            test = "IN"
        clauses.append(f"{alias}.arm {test} ({', '.join(['%s'] * len(arms))})")
        params += arms
    if filters.treated_from:
        clauses.append(f"{alias}.treatment_date >= %s")
        params.append(_day(filters.treated_from))
    if filters.treated_to:
        clauses.append(f"{alias}.treatment_date <= %s")
        params.append(_day(filters.treated_to))
    return (" AND ".join(clauses) or "1 = 1"), params


def cohort_counts(filters: Filters, today: date) -> dict[str, dict[str, Any]]:
    """Per arm: enrolled and due per time point, the baseline characteristics, and the patients
    with an adverse event of each kind on or after entry (``ae_any``, ``ae_related``...), in one
    pass over the report's follow-ups."""
    due = ", ".join(
        f"SUM(CASE WHEN treatment_date < %s THEN 1 ELSE 0 END) AS due_{code.replace('-', '_')}"
        for code in REPORT_CODES
    )
    chosen, chosen_params = where(filters, "s")
    # Only constants of this module are formatted in; values go in as parameters.
    sql = f"""
SELECT arm, COUNT(*) AS enrolled, SUM(CASE WHEN status = 'stopped' THEN 1 ELSE 0 END) AS stopped,
  {due},
  COUNT(age) AS age_n, SUM(age) AS age_sum, SUM(age * age) AS age_squares,
  SUM(CASE WHEN sex = 'female' THEN 1 ELSE 0 END) AS female,
  SUM(CASE WHEN sex = 'male' THEN 1 ELSE 0 END) AS male,
  SUM(CASE WHEN sex NOT IN ('female', 'male', 'unknown') THEN 1 ELSE 0 END) AS sex_other,
  SUM(CASE WHEN sex = 'unknown' THEN 1 ELSE 0 END) AS sex_unknown,
  SUM(CASE WHEN veteran THEN 1 ELSE 0 END) AS veterans, COUNT(veteran) AS veteran_known,
  SUM(prior_surgery) AS prior_spine_surgery,
  MIN(treatment_date) AS first_treated, MAX(treatment_date) AS last_treated,
  SUM(ae_any) AS "ae_any", SUM(ae_related) AS ae_related, SUM(ae_serious) AS ae_serious,
  SUM(ae_discitis) AS ae_discitis
FROM {SUMMARY} s WHERE {chosen} GROUP BY arm
"""  # noqa: S608
    params = [_day(today - timedelta(days=PLAN_POINTS[code].closes)) for code in REPORT_CODES]
    found: dict[str, dict[str, Any]] = {}
    # Grouped by the follow-up's own arm, then added up per report arm.
    for values in _rows(sql, params + chosen_params):
        into = found.setdefault(ARM_BUCKETS.get(values.pop("arm"), "other"), {})
        for name, value in values.items():
            if name.startswith("due_"):
                name = "due_" + _CODE_OF[name[4:]]
            if value is None:
                continue
            if name in ("first_treated", "last_treated"):
                day = _as_date(value)
                kept = into.get(name)
                pick = min if name == "first_treated" else max
                into[name] = day if kept is None else pick(kept, day)
            else:
                into[name] = into.get(name, 0) + value
    return found


_CODE_OF = {code.replace("-", "_"): code for code in REPORT_CODES}


def _day(day: date) -> Any:
    return connection.ops.adapt_datefield_value(day)


def _rows(sql: str, params: list[Any]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _as_date(value: Any) -> Any:
    # SQLite hands dates back as text (None stays None).
    return date.fromisoformat(value) if isinstance(value, str) else value


def _days_between(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def survival_groups(filters: Filters, today: date) -> dict[str, list[tuple[int, bool, int]]]:
    """Per arm: (days from entry, event, patients). The event is the first fibrin procedure or
    fusion/surgery referral after entry (a secondary procedure); others are censored today, or on
    the day their follow-up stopped when that came first.

    The database works out each follow-up's days and event and counts them, so it sends one row
    per (arm, days, event): a few thousand, not one per patient.
    """
    chosen, params = where(filters, "s")
    first = (
        "(CASE WHEN repeat_on IS NULL THEN referral_on"
        " WHEN referral_on IS NULL OR repeat_on <= referral_on THEN repeat_on"
        " ELSE referral_on END)"
    )
    end = "(CASE WHEN stopped_on IS NOT NULL AND stopped_on < %s THEN stopped_on ELSE %s END)"
    censored = _days_between(end, "treatment_date")
    # Only constants of this module are formatted in; values go in as parameters.
    sql = f"""
SELECT arm, days, event, COUNT(*) AS patients FROM (
  SELECT arm, CASE WHEN event = 1 THEN {_days_between("first_on", "treatment_date")}
                   WHEN {censored} > 0 THEN {censored} ELSE 0 END AS days, event
  FROM (
    SELECT arm, treatment_date, stopped_on, {first} AS first_on,
      CASE WHEN {first} IS NOT NULL AND {first} <= {end} THEN 1 ELSE 0 END AS event
    FROM {SUMMARY} s WHERE {chosen}
  ) ended
) counted GROUP BY arm, days, event
"""  # noqa: S608
    day = _day(today)
    # ``end`` (two parameters) is written three times: twice as ``censored``, once in the event.
    found: dict[str, dict[tuple[int, bool], int]] = defaultdict(lambda: defaultdict(int))
    for row in _rows(sql, [day] * 6 + params):
        key = (int(row["days"]), bool(row["event"]))
        found[ARM_BUCKETS.get(row["arm"], "other")][key] += row["patients"]
    return {
        arm: [(days, event, n) for (days, event), n in sorted(groups.items())]
        for arm, groups in found.items()
    }


ADVERSE_KINDS = {
    "any": Q(),
    "related": Q(related=True),
    "serious": Q(serious=True),
    "discitis": Q(discitis=True),
}
