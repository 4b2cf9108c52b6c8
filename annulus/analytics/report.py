"""The outcomes report as one JSON-ready dict: cohorts by arm, time points, survival, adverse
events, benchmarks. The database aggregates (``queries``); ``stats`` adds the intervals.

Contract (``--format json``; keys kept, others added freely): ``arms[].arm``, ``.enrolled``,
``.time_points[]`` with ``months due answered responders responder_rate ci_low ci_high
worst_case_rate best_case_rate``, ``.free_of_secondary_procedure[]`` with ``months estimate ci_low
ci_high at_risk``, and ``benchmarks[]`` with ``id measure months value n source``. Rates are
fractions 0-1, ``None`` where fewer than ``stats.MIN_ANSWERED`` answered.
"""

from __future__ import annotations

import threading
from dataclasses import asdict
from datetime import date
from typing import Any

from annulus.analytics import benchmarks, queries, score_sql, stats
from annulus.analytics.queries import (
    ADVERSE_KINDS,
    ARM_LABELS,
    ARMS,
    COMPOSITE_CODES,
    MONTHS,
    PLAN_POINTS,
    REPORT_CODES,
    SURVIVAL_CODES,
    Filters,
)

__all__ = ["DEFINITIONS", "build_report"]

DEFINITIONS = {
    "entry": "A patient enters their arm on the treatment or decision date of their follow-up.",
    "due": (
        "Enrolled patients whose window for the time point has closed, including patients whose "
        "follow-up was stopped."
    ),
    "answered": "Patients who answered the time point (completed or partly) before it closed.",
    "responder": (
        "ODI improved by at least 30 % of the patient's baseline (clinical-reference §4.10). "
        "The rate is over patients with a baseline and a follow-up ODI, with a Wilson 95 % "
        "interval."
    ),
    "attrition_bounds": (
        "Worst case: every patient due without an ODI change counts as a non-responder "
        "(responders / due). Best case: every one counts as a responder "
        "((responders + due - answered with ODI) / due)."
    ),
    "composite": (
        "Trial-comparable composite (NCT01011816): back pain 30 % better AND RMDQ (or ODI when "
        "RMDQ is missing) 30 % better AND no repeat fibrin procedure or surgery referral AND no "
        "serious adverse event recorded by then. Neurological status is not recorded and is "
        "taken as maintained. Read from 6 months on."
    ),
    "mean_change": "Follow-up minus baseline (negative is better), mean with a 95 % t-interval.",
    "too_few": f"Below {stats.MIN_ANSWERED} patients, counts are shown but no rate or mean.",
    "survival": (
        "Free of fusion or any secondary procedure at the treated level: the first repeat fibrin "
        "procedure or referral to fusion or spine surgery after entry ends it; others are "
        "censored on the report day or when follow-up stopped. Kaplan-Meier with 95 % intervals."
    ),
    "adverse_events": "Patients with at least one adverse event on or after entry, by kind.",
}
MEASURES = (("odi", "odi"), ("nrs_back", "nrs"), ("rmdq", "rmdq"))


def _months(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _summary(n: int, total: Any, squares: Any) -> dict[str, Any]:
    found = stats.mean_change(n or 0, total, squares, minimum=0)
    return {"n": found.n, "mean": found.mean, "sd": found.sd}


def _rate(rate: stats.Rate) -> dict[str, Any]:
    return {
        "count": rate.count,
        "n": rate.n,
        "rate": rate.rate,
        "ci_low": rate.ci_low,
        "ci_high": rate.ci_high,
    }


def _baseline(counts: dict[str, Any], scores: dict[str, Any]) -> dict[str, Any]:
    return {
        "age": _summary(counts.get("age_n", 0), counts.get("age_sum"), counts.get("age_squares")),
        "sex": {key: counts.get(key, 0) for key in ("female", "male", "sex_other", "sex_unknown")},
        "veterans": {"count": counts.get("veterans", 0), "known": counts.get("veteran_known", 0)},
        "prior_spine_surgery": counts.get("prior_spine_surgery", 0),
        # Annulus does not record compensation or litigation yet; say so instead of "0".
        "compensation_or_litigation": None,
        **{
            name: _summary(
                scores.get(f"n_{col}", 0), scores.get(f"sum_{col}"), scores.get(f"sq_{col}")
            )
            for name, col in MEASURES
        },
    }


def _time_point(code: str, due: int, scores: dict[str, Any]) -> dict[str, Any]:
    # Answers are read only from closed windows, so they cannot outnumber the patients due;
    # the min() guards against an invitation whose dates were moved by hand.
    answered = min(int(scores.get("answered") or 0), due)
    evaluable = min(int(scores.get("evaluable") or 0), answered)
    responders = min(int(scores.get("responders") or 0), evaluable)
    rate = stats.proportion(responders, evaluable)
    worst, best = stats.attrition_bounds(responders, evaluable, due)
    completion = stats.proportion(answered, due)
    point: dict[str, Any] = {
        "code": code,
        "label": PLAN_POINTS[code].label,
        "months": _months(MONTHS[code]),
        "due": due,
        "answered": answered,
        "completion": completion.rate,
        "completion_ci_low": completion.ci_low,
        "completion_ci_high": completion.ci_high,
        "evaluable": evaluable,
        "responders": responders,
        "responder_rate": rate.rate,
        "ci_low": rate.ci_low,
        "ci_high": rate.ci_high,
        "worst_case_rate": worst,
        "best_case_rate": best,
        "composite": None,
        "mean_change": {},
    }
    if code in COMPOSITE_CODES:
        known = int(scores.get("composite_known") or 0)
        success = min(int(scores.get("composite_success") or 0), known)
        point["composite"] = _rate(stats.proportion(success, known))
    for name, col in MEASURES:
        found = stats.mean_change(
            int(scores.get(f"dn_{col}") or 0), scores.get(f"dsum_{col}"), scores.get(f"dsq_{col}")
        )
        point["mean_change"][name] = asdict(found)
    return point


def _benchmarks() -> list[dict[str, Any]]:
    loaded = benchmarks.load()
    return [
        {
            "id": b.id,
            "measure": b.measure,
            "months": _months(b.months),
            "value": b.value,
            "n": b.n,
            "source": loaded.citation(b),
            "arm": b.arm,
            "group": b.group,
            "unit": b.unit,
            "scale": b.scale,
            "ci_low": b.ci_low,
            "ci_high": b.ci_high,
            "n_note": b.n_note,
            "caveats": list(b.caveats),
        }
        for b in loaded.benchmarks
    ]


def build_report(filters: Filters, today: date) -> dict[str, Any]:
    """The whole report for ``filters`` as of ``today`` (the clinic's local date)."""
    # scipy is imported while the database works: the driver releases the GIL while it waits,
    # so in a fresh process (the command) the import costs no wall time of its own.
    loading = threading.Thread(target=stats.load, name="report-stats-import", daemon=True)
    loading.start()
    with queries.tuned():
        counts = queries.cohort_counts(filters, today)
        scores = score_sql.score_aggregates(filters, today)
        survival = queries.survival_groups(filters, today)
    loading.join()
    at = [(_months(MONTHS[c]), PLAN_POINTS[c].due) for c in SURVIVAL_CODES]
    arms = []
    for arm in ARMS:
        if filters.arm and arm != filters.arm:
            continue
        found = counts.get(arm, {})
        enrolled = int(found.get("enrolled", 0))
        arms.append(
            {
                "arm": arm,
                "label": ARM_LABELS[arm],
                "enrolled": enrolled,
                "stopped": int(found.get("stopped", 0)),
                "first_treated": _iso(found.get("first_treated")),
                "last_treated": _iso(found.get("last_treated")),
                "baseline": _baseline(found, scores.get((arm, "baseline"), {})),
                "time_points": [
                    _time_point(code, int(found.get(f"due_{code}", 0)), scores.get((arm, code), {}))
                    for code in REPORT_CODES
                ],
                "free_of_secondary_procedure": [
                    asdict(point) for point in stats.kaplan_meier(survival.get(arm, []), at)
                ],
                "adverse_events": {
                    kind: _rate(stats.proportion(int(found.get(f"ae_{kind}", 0)), enrolled))
                    for kind in ADVERSE_KINDS
                },
            }
        )
    loaded = benchmarks.load()
    return {
        "generated_on": today.isoformat(),
        "filters": {
            "arm": filters.arm,
            "treated_from": _iso(filters.treated_from),
            "treated_to": _iso(filters.treated_to),
        },
        "arms": arms,
        "benchmarks": _benchmarks(),
        "benchmark_version": loaded.version,
        "caveats": dict(loaded.caveats),
        "definitions": DEFINITIONS,
    }


def _iso(day: Any) -> str | None:
    return day.isoformat() if day is not None else None
