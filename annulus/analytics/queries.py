"""The report's counts and sums, aggregated in the database: a handful of queries per report,
whatever the number of patients.

- ``cohort_counts``: per arm, enrolled and due at each time point (conditional aggregates over
  the report's follow-ups), plus the baseline characteristics;
- ``score_aggregates``: per arm and time point, who answered, ODI responders, the composite and
  the sums for mean changes. One query over the score pivot (``outcomes.TimePointScores``, one
  row per answered time point), each row joined to its follow-up's baseline row, then grouped;
- ``report_follow_ups``: the report's follow-ups with their first events and baseline, computed
  once into a temporary table that the three queries below read;
- ``survival_groups``: (arm, days, event, patients) for Kaplan-Meier;
- ``adverse_event_counts``: patients with an adverse event after entry, by kind.

Arms: the follow-up's arm, grouped into the report's four (``ARM_BUCKETS``). A patient enters on
their follow-up's treatment date (the fibrin procedure, or the referral/decision date).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import (
    Q,
)
from django.utils import timezone

from annulus.lib.analytic_sql import analytic_queries
from annulus.outcomes.models import FIBRIN_ARM
from annulus.outcomes.schedule import STANDARD_PLAN

ARMS = ("fibrin_injection", "conservative_care", "surgery_referral", "other")
ARM_LABELS = {
    "fibrin_injection": "Fibrin injection",
    "conservative_care": "Conservative care",
    "surgery_referral": "Referred for fusion or other surgery",
    "other": "Other routes",
}
SURGERY_ARMS = ("fusion", "spine_surgery_consult")
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
# The composite is read from the trial's 26-week end point on (clinical-reference §1.3).
COMPOSITE_CODES = ("month-6", "month-12", "month-24", "month-36", "month-48", "month-60")
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


FX = "report_fx"  # the report's follow-ups, see ``report_follow_ups``


def _bucket_sql(column: str) -> str:
    whens = " ".join(f"WHEN {column} = '{arm}' THEN '{b}'" for arm, b in ARM_BUCKETS.items())
    return f"(CASE {whens} ELSE 'other' END)"


def cohort_counts(today: date) -> dict[str, dict[str, Any]]:
    """Per arm (of ``report_fx``): enrolled and due per time point, and the baseline
    characteristics, in one pass over the report's follow-ups."""
    due = ", ".join(
        f"SUM(CASE WHEN treatment_date < %s THEN 1 ELSE 0 END) AS due_{code.replace('-', '_')}"
        for code in REPORT_CODES
    )
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
  MIN(treatment_date) AS first_treated, MAX(treatment_date) AS last_treated
FROM {FX} GROUP BY arm
"""  # noqa: S608
    params = [_day(today - timedelta(days=PLAN_POINTS[code].closes)) for code in REPORT_CODES]
    found: dict[str, dict[str, Any]] = {}
    # Grouped by the follow-up's own arm, then added up per report arm.
    for values in _rows(sql, params):
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


def _where(filters: Filters, alias_f: str, alias_p: str) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if filters.clinic_id is not None:
        clauses.append(f"{alias_p}.clinic_id = %s")
        params.append(filters.clinic_id)
    if filters.arm:
        clauses.append(f"{_bucket_sql(alias_f + '.arm')} = %s")
        params.append(filters.arm)
    if filters.treated_from:
        clauses.append(f"{alias_f}.treatment_date >= %s")
        params.append(_day(filters.treated_from))
    if filters.treated_to:
        clauses.append(f"{alias_f}.treatment_date <= %s")
        params.append(_day(filters.treated_to))
    return (" AND ".join(clauses) or "1 = 1"), params


def _day(day: date) -> Any:
    return connection.ops.adapt_datefield_value(day)


def _first_event_ctes(where: str) -> str:
    """The follow-ups in the report (``fu``) and each one's first secondary-procedure and serious
    adverse-event day after entry, one grouped join per table instead of a probe per row."""
    return f"""
fu AS (
  SELECT f.id, f.patient_id, f.treatment_date, f.arm, f.status, f.stopped_at, p.date_of_birth,
         p.sex, p.veteran
  FROM outcomes_followup f JOIN patients_patient p ON p.id = f.patient_id WHERE {where}
), prior AS (
  SELECT DISTINCT ps.patient_id FROM clinical_priorspineprocedure ps
  WHERE ps.patient_id IN (SELECT patient_id FROM fu)
), repeat AS (
  SELECT fu.id AS fid, MIN(fp.performed_on) AS day FROM fu
  JOIN clinical_fibrinprocedure fp ON fp.patient_id = fu.patient_id
    AND fp.performed_on > fu.treatment_date
  GROUP BY fu.id
), referral AS (
  SELECT fu.id AS fid, MIN(ar.referred_on) AS day FROM fu
  JOIN clinical_alternativereferral ar ON ar.patient_id = fu.patient_id
    AND ar.referred_on > fu.treatment_date
    AND ar.alternative IN ('fusion', 'spine_surgery_consult')
  GROUP BY fu.id
), serious AS (
  SELECT fu.id AS fid, MIN(ae.onset_on) AS day FROM fu
  JOIN clinical_adverseevent ae ON ae.patient_id = fu.patient_id AND ae.serious
    AND ae.onset_on >= fu.treatment_date
  GROUP BY fu.id
)"""  # noqa: S608


def _rows(sql: str, params: list[Any]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _as_date(value: Any) -> Any:
    # SQLite hands dates back as text (None stays None).
    return date.fromisoformat(value) if isinstance(value, str) else value


def _age_sql(day: str, born: str) -> str:
    """Whole years from ``born`` to ``day`` (NULL without a birth date): the difference of the
    years, less one when the birthday had not come yet that year."""
    if connection.vendor == "postgresql":
        ymd = "CAST(date_part('year', {0}) * 10000 + date_part('month', {0}) * 100"
        ymd += " + date_part('day', {0}) AS INTEGER)"
    else:
        ymd = "CAST(strftime('%%Y%%m%%d', {0}) AS INTEGER)"
    t, b = ymd.format(day), ymd.format(born)
    return f"({t} / 10000 - {b} / 10000 - CASE WHEN {t} %% 10000 < {b} %% 10000 THEN 1 ELSE 0 END)"


@contextmanager
def report_follow_ups(filters: Filters) -> Iterator[None]:
    """Within it, ``report_fx`` holds one row per follow-up in the report: its arm, entry day,
    the day follow-up stopped, its first repeat fibrin procedure, surgery referral and serious
    adverse event after entry, its baseline scores, and the patient's baseline characteristics
    (age at entry, sex, veteran, prior spine surgery).

    The cohort counts, score aggregates, survival groups and adverse events all start from these; a
    temporary table computes them once per report instead of once per query (the first-event
    joins were repeated in three statements). Dropped on the way out, so that a second report in
    the same transaction starts clean.
    """
    where, params = _where(filters, "f", "p")
    if connection.vendor == "postgresql":
        stopped_day = "(fu.stopped_at AT TIME ZONE %s)::date"
        params = [*params, timezone.get_current_timezone_name()]
    else:
        stopped_day = "date(fu.stopped_at)"
    # Only constants of this module are formatted in; values go in as parameters.
    sql = f"""
CREATE TEMPORARY TABLE {FX} AS
WITH {_first_event_ctes(where)}
SELECT fu.id AS fid, fu.patient_id, fu.arm, fu.treatment_date, {stopped_day} AS stopped_on,
       repeat.day AS repeat_on, referral.day AS referral_on, serious.day AS serious_on,
       b.odi AS b_odi, b.nrs_back AS b_nrs, b.rmdq AS b_rmdq,
       fu.status, fu.sex, fu.veteran, {_age_sql("fu.treatment_date", "fu.date_of_birth")} AS age,
       CASE WHEN prior.patient_id IS NULL THEN 0 ELSE 1 END AS prior_surgery
FROM fu LEFT JOIN outcomes_timepointscores b ON b.follow_up_id = fu.id AND b.code = 'baseline'
LEFT JOIN repeat ON repeat.fid = fu.id
LEFT JOIN referral ON referral.fid = fu.id
LEFT JOIN serious ON serious.fid = fu.id
LEFT JOIN prior ON prior.patient_id = fu.patient_id
"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {FX}")
        # Not ANALYZEd (0.1 s at 100,000 follow-ups): the planner sizes a table without
        # statistics from its pages, which is all the hash joins below need.
        cursor.execute(sql, params)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {FX}")


def survival_groups(today: date) -> dict[str, list[tuple[int, bool, int]]]:
    """Per arm: (days from entry, event, patients), from ``report_fx``. The event is the first
    fibrin procedure or fusion/surgery referral after entry (a secondary procedure); others are
    censored today, or on the day their follow-up stopped."""
    # Only constants of this module are formatted in.
    sql = f"""
SELECT {_bucket_sql("arm")} AS bucket, treatment_date, repeat_on, referral_on, stopped_on,
       COUNT(*) AS patients
FROM {FX} GROUP BY 1, 2, 3, 4, 5
"""  # noqa: S608
    found: dict[str, dict[tuple[int, bool], int]] = defaultdict(lambda: defaultdict(int))
    # One row per distinct (entry day, event days): at most a few thousand, not one per patient.
    for row in _rows(sql, []):
        events: list[date] = [
            _as_date(row[k]) for k in ("repeat_on", "referral_on") if row[k] is not None
        ]
        start: date = _as_date(row["treatment_date"])
        end: date = _as_date(row["stopped_on"]) or today
        if events and min(events) <= min(end, today):
            key = ((min(events) - start).days, True)
        else:
            key = (max(0, (min(end, today) - start).days), False)
        found[row["bucket"]][key] += row["patients"]
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


def adverse_event_counts() -> dict[str, dict[str, int]]:
    """Per arm (of ``report_fx``): patients with at least one adverse event of each kind on or
    after entry."""
    # Only constants of this module are formatted in.
    sql = f"""
WITH events AS (
  SELECT fu.fid,
    MAX(CASE WHEN ae.related THEN 1 ELSE 0 END) AS related,
    MAX(CASE WHEN ae.serious THEN 1 ELSE 0 END) AS serious,
    MAX(CASE WHEN ae.discitis THEN 1 ELSE 0 END) AS discitis
  FROM {FX} fu JOIN clinical_adverseevent ae ON ae.patient_id = fu.patient_id
    AND ae.onset_on >= fu.treatment_date
  GROUP BY fu.fid
)
SELECT {_bucket_sql("fu.arm")} AS bucket, COUNT(*) AS enrolled, COUNT(events.fid) AS "any",
  COALESCE(SUM(events.related), 0) AS related, COALESCE(SUM(events.serious), 0) AS serious,
  COALESCE(SUM(events.discitis), 0) AS discitis
FROM {FX} fu LEFT JOIN events ON events.fid = fu.fid
GROUP BY 1
"""  # noqa: S608
    return {
        str(row["bucket"]): {key: int(value) for key, value in row.items() if key != "bucket"}
        for row in _rows(sql, [])
    }
