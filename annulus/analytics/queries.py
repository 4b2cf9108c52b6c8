"""The report's counts and sums, aggregated in the database: a handful of queries per report,
whatever the number of patients.

- ``cohort_counts``: per arm, enrolled and due at each time point (conditional aggregates over
  the follow-ups), plus the baseline characteristics;
- ``score_aggregates``: per arm and time point, who answered, ODI responders, the composite and
  the sums for mean changes. One query over the score pivot (``outcomes.TimePointScores``, one
  row per answered time point), each row joined to its follow-up's baseline row, then grouped;
- ``survival_groups``: (arm, days, event, patients) for Kaplan-Meier;
- ``adverse_event_counts``: patients with an adverse event after entry, by kind.

Arms: the follow-up's arm, grouped into the report's four (``ARM_BUCKETS``). A patient enters on
their follow-up's treatment date (the fibrin procedure, or the referral/decision date).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear

from annulus.clinical.models import (
    AdverseEvent,
    AlternativeReferral,
    FibrinProcedure,
    PriorSpineProcedure,
)
from annulus.outcomes.models import FIBRIN_ARM, FollowUp
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


@contextmanager
def tuned() -> Iterator[None]:
    """One transaction for the report's queries, with PostgreSQL settings that suit them.

    JIT compilation costs seconds here (the correlated subqueries make the planner's cost
    estimate huge, so it compiles with full optimization) and saves nothing on queries that run
    once; the sorts stay in memory instead of spilling to disk.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL work_mem = '64MB'")
        yield


def bucket_expression(field: str = "arm") -> Case:
    whens = [When(**{field: arm}, then=Value(bucket)) for arm, bucket in ARM_BUCKETS.items()]
    return Case(*whens, default=Value("other"))


def _bucket_sql(column: str) -> str:
    whens = " ".join(f"WHEN {column} = '{arm}' THEN '{b}'" for arm, b in ARM_BUCKETS.items())
    return f"(CASE {whens} ELSE 'other' END)"


def follow_ups(filters: Filters) -> Any:
    queryset = FollowUp.objects.annotate(bucket=bucket_expression())
    if filters.clinic_id is not None:
        queryset = queryset.filter(patient__clinic_id=filters.clinic_id)
    if filters.arm:
        queryset = queryset.filter(bucket=filters.arm)
    if filters.treated_from:
        queryset = queryset.filter(treatment_date__gte=filters.treated_from)
    if filters.treated_to:
        queryset = queryset.filter(treatment_date__lte=filters.treated_to)
    return queryset


def _age() -> Any:
    born, treated = "patient__date_of_birth", "treatment_date"
    before_birthday = Case(
        When(
            Q(month_t__lt=F("month_b")) | Q(month_t=F("month_b"), day_t__lt=F("day_b")),
            then=Value(1),
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    return {
        "year_t": ExtractYear(treated),
        "month_t": ExtractMonth(treated),
        "day_t": ExtractDay(treated),
        "year_b": ExtractYear(born),
        "month_b": ExtractMonth(born),
        "day_b": ExtractDay(born),
    }, F("year_t") - F("year_b") - before_birthday


def cohort_counts(filters: Filters, today: date) -> dict[str, dict[str, Any]]:
    """Per arm: enrolled, due per time point, and the baseline characteristics (one query)."""
    parts, age = _age()
    queryset = (
        follow_ups(filters)
        .annotate(**parts)
        .annotate(
            age=age,
            prior_surgery=Exists(PriorSpineProcedure.objects.filter(patient=OuterRef("patient"))),
        )
    )
    due = {
        f"due_{code}": Count(
            "id", filter=Q(treatment_date__lt=today - timedelta(days=PLAN_POINTS[code].closes))
        )
        for code in REPORT_CODES
    }
    known_age = Q(patient__date_of_birth__isnull=False)
    rows = (
        queryset.values("bucket")
        .annotate(
            enrolled=Count("id"),
            stopped=Count("id", filter=Q(status="stopped")),
            **due,
            age_n=Count("id", filter=known_age),
            age_sum=Sum("age", filter=known_age),
            age_squares=Sum(F("age") * F("age"), filter=known_age),
            female=Count("id", filter=Q(patient__sex="female")),
            male=Count("id", filter=Q(patient__sex="male")),
            sex_other=Count("id", filter=~Q(patient__sex__in=("female", "male", "unknown"))),
            sex_unknown=Count("id", filter=Q(patient__sex="unknown")),
            veterans=Count("id", filter=Q(patient__veteran=True)),
            veteran_known=Count("id", filter=Q(patient__veteran__isnull=False)),
            prior_spine_surgery=Count("id", filter=Q(prior_surgery=True)),
            first_treated=Min("treatment_date"),
            last_treated=Max("treatment_date"),
        )
        .order_by()
    )
    return {str(row["bucket"]): dict(row) for row in rows}


MEASURE_COLUMNS = {"odi": "odi", "nrs-back": "nrs", "rmdq": "rmdq"}


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


# ODI responder (clinical-reference §4.10): improved by at least 30 % of a baseline above 0.
# Written as 10 x improvement >= 3 x baseline so the 30 % boundary is not lost to rounding.
_ODI_RESPONDER = "(b_odi > 0 AND odi IS NOT NULL AND 10 * (b_odi - odi) >= 3 * b_odi - 1e-9)"
_PAIN_30 = "(b_nrs > 0 AND nrs IS NOT NULL AND 10 * (b_nrs - nrs) >= 3 * b_nrs - 1e-9)"
_FUNCTION_30 = (
    "(CASE WHEN rmdq IS NOT NULL AND b_rmdq IS NOT NULL"
    " THEN (b_rmdq > 0 AND 10 * (b_rmdq - rmdq) >= 3 * b_rmdq - 1e-9)"
    " ELSE (b_odi > 0 AND odi IS NOT NULL AND 10 * (b_odi - odi) >= 3 * b_odi - 1e-9) END)"
)
_COMPOSITE_KNOWN = (
    "(nrs IS NOT NULL AND b_nrs IS NOT NULL AND ((rmdq IS NOT NULL AND b_rmdq IS NOT NULL)"
    " OR (odi IS NOT NULL AND b_odi IS NOT NULL)))"
)


def _no_secondary() -> str:
    return (
        "NOT EXISTS (SELECT 1 FROM clinical_fibrinprocedure fp WHERE fp.patient_id = w.patient_id"
        " AND fp.performed_on > w.treatment_date AND fp.performed_on <= w.closes)"
        " AND NOT EXISTS (SELECT 1 FROM clinical_alternativereferral ar"
        " WHERE ar.patient_id = w.patient_id AND ar.referred_on > w.treatment_date"
        " AND ar.referred_on <= w.closes"
        " AND ar.alternative IN ('fusion', 'spine_surgery_consult'))"
        " AND NOT EXISTS (SELECT 1 FROM clinical_adverseevent ae WHERE ae.patient_id = w.patient_id"
        " AND ae.serious AND ae.onset_on >= w.treatment_date AND ae.onset_on <= w.closes)"
    )


def score_aggregates(filters: Filters, today: date) -> dict[tuple[str, str], dict[str, Any]]:
    """Per (arm, time point code, including "baseline"): counts and sums of scores and changes."""
    where, params = _where(filters, "f", "p")
    codes = ", ".join(f"'{c}'" for c in ("baseline", *REPORT_CODES))
    composite_codes = ", ".join(f"'{c}'" for c in COMPOSITE_CODES)
    sums = []
    for column in MEASURE_COLUMNS.values():
        sums += [
            f"COUNT({column}) AS n_{column}",
            f"SUM({column}) AS sum_{column}",
            f"SUM({column} * {column}) AS sq_{column}",
            f"COUNT({column} - b_{column}) AS dn_{column}",
            f"SUM({column} - b_{column}) AS dsum_{column}",
            f"SUM(({column} - b_{column}) * ({column} - b_{column})) AS dsq_{column}",
        ]
    # Only constants of this module are formatted in; values go in as parameters.
    # ``outcomes_timepointscores`` holds one row per answered time point with its three scores
    # (kept by the scoring actions), so there is no join of every score to its response and
    # invitation here; the baseline is joined per follow-up.
    sql = f"""
WITH s AS (
  SELECT f.id AS fid, f.patient_id, f.treatment_date, {_bucket_sql("f.arm")} AS arm,
         t.code, t.closes, t.odi, t.nrs_back AS nrs, t.rmdq
  FROM outcomes_timepointscores t
  JOIN outcomes_followup f ON f.id = t.follow_up_id
  JOIN patients_patient p ON p.id = f.patient_id
  WHERE t.code IN ({codes}) AND (t.code = 'baseline' OR t.closes < %s) AND {where}
), w AS (
  SELECT s.*, b.odi AS b_odi, b.nrs_back AS b_nrs, b.rmdq AS b_rmdq
  FROM s LEFT JOIN outcomes_timepointscores b ON b.follow_up_id = s.fid AND b.code = 'baseline'
)
SELECT arm, code, COUNT(*) AS answered,
  SUM(CASE WHEN b_odi IS NOT NULL AND odi IS NOT NULL THEN 1 ELSE 0 END) AS evaluable,
  SUM(CASE WHEN {_ODI_RESPONDER} THEN 1 ELSE 0 END) AS responders,
  SUM(CASE WHEN code IN ({composite_codes}) AND {_COMPOSITE_KNOWN} THEN 1 ELSE 0 END)
    AS composite_known,
  SUM(CASE WHEN code IN ({composite_codes}) AND {_COMPOSITE_KNOWN} AND {_PAIN_30}
      AND {_FUNCTION_30} AND {_no_secondary()} THEN 1 ELSE 0 END) AS composite_success,
  {", ".join(sums)}
FROM w GROUP BY arm, code
"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [_day(today), *params])
        names = [c[0] for c in cursor.description]
        found = {}
        for row in cursor.fetchall():
            values = dict(zip(names, row, strict=True))
            found[(values.pop("arm"), values.pop("code"))] = values
    return found


def survival_groups(filters: Filters, today: date) -> dict[str, list[tuple[int, bool, int]]]:
    """Per arm: (days from entry, event, patients). The event is the first fibrin procedure or
    fusion/surgery referral after entry (a secondary procedure); others are censored today, or on
    the day their follow-up stopped."""
    surgery = Q(alternative__in=SURGERY_ARMS)
    repeat = (
        FibrinProcedure.objects.filter(
            patient=OuterRef("patient"), performed_on__gt=OuterRef("treatment_date")
        )
        .order_by("performed_on")
        .values("performed_on")[:1]
    )
    referral = (
        AlternativeReferral.objects.filter(
            surgery, patient=OuterRef("patient"), referred_on__gt=OuterRef("treatment_date")
        )
        .order_by("referred_on")
        .values("referred_on")[:1]
    )
    rows = (
        follow_ups(filters)
        .annotate(repeat_on=Subquery(repeat), referral_on=Subquery(referral))
        .values("bucket", "treatment_date", "repeat_on", "referral_on", "stopped_at__date")
        .annotate(patients=Count("id"))
        .order_by()
    )
    found: dict[str, dict[tuple[int, bool], int]] = defaultdict(lambda: defaultdict(int))
    # One row per distinct (entry day, event days): at most a few thousand, not one per patient.
    for row in rows:
        events = [d for d in (row["repeat_on"], row["referral_on"]) if d is not None]
        start = row["treatment_date"]
        end = row["stopped_at__date"] or today
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


def adverse_event_counts(filters: Filters) -> dict[str, dict[str, int]]:
    """Per arm: patients with at least one adverse event of each kind on or after entry."""
    flags = {
        f"ae_{kind}": Exists(
            AdverseEvent.objects.filter(
                condition, patient=OuterRef("patient"), onset_on__gte=OuterRef("treatment_date")
            )
        )
        for kind, condition in ADVERSE_KINDS.items()
    }
    rows: Any = (
        follow_ups(filters)
        .annotate(**flags)
        .values("bucket")
        .annotate(
            enrolled=Count("id"),
            **{kind: Count("id", filter=Q(**{f"ae_{kind}": True})) for kind in ADVERSE_KINDS},
        )
        .order_by()
    )
    return {str(row["bucket"]): dict(row) for row in rows}
