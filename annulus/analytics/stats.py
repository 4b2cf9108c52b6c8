"""The report's statistics, from counts and sums the database already aggregated. No Django.

- ``proportion``: a rate with its Wilson 95 % interval (statsmodels ``proportion_confint``), the
  interval clinical-reference §5.6 asks for; below ``MIN_ANSWERED`` answers there is no rate.
- ``attrition_bounds``: the two readings of the patients who did not answer. Worst case: every
  non-answerer failed (``responders / due``); best case: every one succeeded
  (``(responders + due - answered) / due``). The truth lies between them (§4.10).
- ``mean_change``: a mean with its 95 % t-interval (scipy), from n, the sum and the sum of squares,
  which SQL computes on any backend.
- ``kaplan_meier``: lifelines' Kaplan-Meier estimate with its 95 % interval (exponential
  Greenwood) and the numbers at risk, from (duration, event, count) groups so that the database
  sends one row per distinct duration, not one per patient.

"Too few to say": below ``MIN_ANSWERED`` answered, a rate or mean is ``None`` and only counts are
shown. The heavy libraries are imported on first use: a command that needs none of them starts
faster.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "CONFIDENCE",
    "MIN_ANSWERED",
    "KMPoint",
    "MeanCI",
    "Rate",
    "attrition_bounds",
    "kaplan_meier",
    "mean_change",
    "proportion",
    "wilson",
]

CONFIDENCE = 0.95
MIN_ANSWERED = 10


@dataclass(frozen=True)
class Rate:
    """``count`` of ``n``; ``rate`` and its interval are ``None`` when n is too small."""

    count: int
    n: int
    rate: float | None
    ci_low: float | None
    ci_high: float | None

    @property
    def too_few(self) -> bool:
        return self.rate is None


def _counts(count: int, n: int) -> None:
    if isinstance(count, bool) or isinstance(n, bool) or count < 0 or n < 0 or count > n:
        raise ValueError(f"need 0 <= count <= n, got {count} of {n}")


def wilson(count: int, n: int) -> tuple[float, float]:
    """The Wilson score 95 % interval for ``count`` successes in ``n`` trials (n > 0)."""
    _counts(count, n)
    if n == 0:
        raise ValueError("no interval for n = 0")
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(count, n, alpha=1 - CONFIDENCE, method="wilson")
    return max(0.0, float(low)), min(1.0, float(high))


def proportion(count: int, n: int, *, minimum: int = MIN_ANSWERED) -> Rate:
    """A rate with its Wilson interval, or counts only when ``n < minimum``."""
    _counts(count, n)
    if n == 0 or n < minimum:
        return Rate(count, n, None, None, None)
    low, high = wilson(count, n)
    return Rate(count, n, count / n, low, high)


def attrition_bounds(
    responders: int, answered: int, due: int, *, minimum: int = MIN_ANSWERED
) -> tuple[float | None, float | None]:
    """(worst case, best case) responder rates over everyone due; ``None`` when too few answered.

    Worst: non-answerers count as failures. Best: non-answerers count as responders.
    """
    _counts(responders, answered)
    _counts(answered, due)
    if due == 0 or answered < minimum:
        return None, None
    return responders / due, (responders + due - answered) / due


@dataclass(frozen=True)
class MeanCI:
    n: int
    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None


def mean_change(
    n: int, total: float | None, sum_squares: float | None, *, minimum: int = MIN_ANSWERED
) -> MeanCI:
    """Mean, SD and 95 % t-interval of n values given their sum and sum of squares.

    With ``minimum=0`` (a baseline table) the mean is given for any n >= 1 and the SD and
    interval from n >= 2.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if n == 0 or n < minimum or total is None:
        return MeanCI(n, None, None, None, None)
    mean = total / n
    if n < 2 or sum_squares is None:
        return MeanCI(n, mean, None, None, None)
    # The "computational" variance loses digits when the mean is large against the spread;
    # scores here are 0-100 with n up to ~1e5, far inside a double's precision.
    variance = max(0.0, (sum_squares - n * mean * mean) / (n - 1))
    sd = math.sqrt(variance)
    if sd == 0:
        return MeanCI(n, mean, 0.0, mean, mean)
    from scipy import stats

    low, high = stats.t.interval(CONFIDENCE, df=n - 1, loc=mean, scale=sd / math.sqrt(n))
    return MeanCI(n, mean, sd, float(low), float(high))


@dataclass(frozen=True)
class KMPoint:
    """Survival at ``months`` (``day`` days after entry), its 95 % interval and who is at risk."""

    months: float
    day: int
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    at_risk: int


def kaplan_meier(
    groups: Iterable[tuple[int, bool, int]], at: Sequence[tuple[float, int]]
) -> list[KMPoint]:
    """Kaplan-Meier estimate at the given (months, day) points.

    ``groups``: (duration in days, event happened, number of patients). A patient counts as at
    risk on day d when their duration is >= d (lifelines' convention: an event or censoring on
    day d still counts as at risk on d). With nobody entered, every estimate is ``None``.
    """
    rows = [(int(d), bool(e), int(c)) for d, e, c in groups if c > 0]
    if any(d < 0 for d, _, _ in rows):
        raise ValueError("durations must be >= 0")
    if not rows:
        return [KMPoint(m, day, None, None, None, 0) for m, day in at]
    from lifelines import KaplanMeierFitter

    fitter = KaplanMeierFitter(alpha=1 - CONFIDENCE)
    fitter.fit(
        [d for d, _, _ in rows],
        event_observed=[e for _, e, _ in rows],
        weights=[c for _, _, c in rows],
    )
    survival = fitter.survival_function_.iloc[:, 0]
    bounds = fitter.confidence_interval_survival_function_
    out = []
    for months, day in at:
        at_risk = sum(c for d, _, c in rows if d >= day)
        known = survival.index <= day
        if not known.any():  # pragma: no cover - the timeline always starts at 0
            out.append(KMPoint(months, day, 1.0, 1.0, 1.0, at_risk))
            continue
        position = int(known.nonzero()[0][-1])
        estimate = float(survival.iloc[position])
        low = float(bounds.iloc[position, 0])
        high = float(bounds.iloc[position, 1])
        if at_risk == 0:
            # Past the last follow-up the curve is not known: say so rather than carry it on.
            out.append(KMPoint(months, day, None, None, None, 0))
            continue
        out.append(
            KMPoint(months, day, estimate, _finite(low, estimate), _finite(high, estimate), at_risk)
        )
    return out


def _finite(value: float, fallback: float) -> float:
    return fallback if math.isnan(value) else value
