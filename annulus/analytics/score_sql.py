"""The report's score aggregates: per arm and time point, who answered, ODI responders, the
trial-comparable composite and the sums for mean changes, in one query.

It reads the score pivot (``outcomes.TimePointScores``, one narrow row per answered time point,
kept by the scoring actions), joins each row to its follow-up's row of ``report_fx`` (baseline
scores, first secondary procedure and serious adverse event), and groups.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from annulus.analytics.queries import (
    ARM_BUCKETS,
    COMPOSITE_CODES,
    FX,
    REPORT_CODES,
    _day,
    _rows,
)

__all__ = ["score_aggregates"]

MEASURE_COLUMNS = {"odi": "odi", "nrs-back": "nrs", "rmdq": "rmdq"}


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


# No repeat fibrin procedure or surgery referral after entry, and no serious adverse event on or
# after entry, by the time point's closing day. Each is the follow-up's first such day (one
# grouped join per table, ``_first_event_ctes``) compared with the closing day: the same as asking
# "does one exist in between" per row, without a probe per row.
_NO_SECONDARY = (
    "((w.repeat_on IS NULL OR w.repeat_on > w.closes)"
    " AND (w.referral_on IS NULL OR w.referral_on > w.closes)"
    " AND (w.serious_on IS NULL OR w.serious_on > w.closes))"
)


def score_aggregates(today: date) -> dict[tuple[str, str], dict[str, Any]]:
    """Per (arm, time point code, including "baseline") of the report's follow-ups
    (``queries.report_follow_ups``): counts and sums of scores and changes."""
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
    # invitation here. What belongs to the follow-up (its baseline, its first secondary procedure
    # and serious event) is in ``report_fx``, one row per follow-up, joined to its rows.
    sql = f"""
WITH w AS (
  SELECT fx.arm, fx.b_odi, fx.b_nrs, fx.b_rmdq, fx.repeat_on, fx.referral_on, fx.serious_on,
         t.code, t.closes, t.odi, t.nrs_back AS nrs, t.rmdq
  FROM outcomes_timepointscores t JOIN {FX} fx ON fx.fid = t.follow_up_id
  WHERE t.code IN ({codes}) AND (t.code = 'baseline' OR t.closes < %s)
)
SELECT arm, code, COUNT(*) AS answered,
  SUM(CASE WHEN b_odi IS NOT NULL AND odi IS NOT NULL THEN 1 ELSE 0 END) AS evaluable,
  SUM(CASE WHEN {_ODI_RESPONDER} THEN 1 ELSE 0 END) AS responders,
  SUM(CASE WHEN code IN ({composite_codes}) AND {_COMPOSITE_KNOWN} THEN 1 ELSE 0 END)
    AS composite_known,
  SUM(CASE WHEN code IN ({composite_codes}) AND {_COMPOSITE_KNOWN} AND {_PAIN_30}
      AND {_FUNCTION_30} AND {_NO_SECONDARY} THEN 1 ELSE 0 END) AS composite_success,
  {", ".join(sums)}
FROM w GROUP BY arm, code
"""  # noqa: S608
    # Grouped by the follow-up's own arm (no CASE per row), then added up per report arm:
    # every column is a count or a sum.
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for values in _rows(sql, [_day(today)]):
        key = (ARM_BUCKETS.get(values.pop("arm"), "other"), values.pop("code"))
        into = found.setdefault(key, {})
        for name, value in values.items():
            if value is not None:
                into[name] = into.get(name, 0) + value
    return found
