"""The report's score aggregates: per arm and time point, who answered, ODI responders, the
trial-comparable composite and the sums for mean changes, in one query.

It adds up the score pivot (``outcomes.TimePointScores``, one row per answered time point) alone:
each row already carries its follow-up's arm, clinic and entry day (for the filters), its changes
from baseline, and its responder and composite flags, kept current with the follow-up's summary by
the actions (``annulus/outcomes/follow_up_summary.py``, where the definitions are written).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from annulus.analytics.queries import ARM_BUCKETS, REPORT_CODES, Filters, _day, _rows, where

__all__ = ["score_aggregates"]

MEASURE_COLUMNS = {"odi": "odi", "nrs-back": "nrs", "rmdq": "rmdq"}
# The pivot's score column and change column of each measure.
_COLUMNS = {"odi": ("odi", "d_odi"), "nrs": ("nrs_back", "d_nrs"), "rmdq": ("rmdq", "d_rmdq")}


def score_aggregates(filters: Filters, today: date) -> dict[tuple[str, str], dict[str, Any]]:
    """Per (arm, time point code, including "baseline") of the report's follow-ups: counts and
    sums of scores and changes. Baseline rows count whenever answered, follow-up rows once their
    window has closed."""
    codes = ", ".join(f"'{c}'" for c in ("baseline", *REPORT_CODES))
    sums = []
    for name, (score, change) in _COLUMNS.items():
        sums += [
            f"COUNT({score}) AS n_{name}",
            f"SUM({score}) AS sum_{name}",
            f"SUM({score} * {score}) AS sq_{name}",
            f"COUNT({change}) AS dn_{name}",
            f"SUM({change}) AS dsum_{name}",
            f"SUM({change} * {change}) AS dsq_{name}",
        ]
    chosen, params = where(filters, "t")
    # Only constants of this module are formatted in; values go in as parameters.
    sql = f"""
SELECT arm, code, COUNT(*) AS answered, SUM(evaluable) AS evaluable, SUM(responder) AS responders,
  SUM(composite_known) AS composite_known, SUM(composite_success) AS composite_success,
  {", ".join(sums)}
FROM outcomes_timepointscores t
WHERE t.code IN ({codes}) AND (t.code = 'baseline' OR t.closes < %s) AND {chosen}
GROUP BY arm, code
"""  # noqa: S608
    # Grouped by the follow-up's own arm (no CASE per row), then added up per report arm:
    # every column is a count or a sum.
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for values in _rows(sql, [_day(today), *params]):
        key = (ARM_BUCKETS.get(values.pop("arm"), "other"), values.pop("code"))
        into = found.setdefault(key, {})
        for name, value in values.items():
            if value is not None:
                into[name] = into.get(name, 0) + value
    return found
