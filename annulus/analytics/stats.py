"""The report's statistics, from counts and sums the database already aggregated. No Django.

- ``proportion``: a rate with its Wilson 95 % interval, the interval clinical-reference §5.6 asks
  for; below ``MIN_ANSWERED`` answers there is no rate.
- ``attrition_bounds``: the two readings of the patients who did not answer. Worst case: every
  non-answerer failed (``responders / due``); best case: every one succeeded
  (``(responders + due - answered) / due``). The truth lies between them (§4.10).
- ``mean_change``: a mean with its 95 % t-interval, from n, the sum and the sum of squares,
  which SQL computes on any backend.
- ``kaplan_meier``: the Kaplan-Meier estimate with its 95 % interval (exponential Greenwood) and
  the numbers at risk, from (duration, event, count) groups so that the database sends one row
  per distinct duration, not one per patient.

The quantiles come from scipy (``scipy.special.ndtri`` and ``stdtrit``); the formulas around them
are the ones statsmodels' ``proportion_confint(method="wilson")``, scipy's ``t.interval`` and
lifelines' ``KaplanMeierFitter`` evaluate, and the tests hold every result to those libraries on
fixed and random cohorts. They are not called here because importing statsmodels and lifelines
(with pandas and ``scipy.stats``) costs about 1.5 CPU-seconds, most of the report command's
budget, and a lifelines fit costs ~0.2 s per arm for what is a sum over a few thousand groups.

"Too few to say": below ``MIN_ANSWERED`` answered, a rate or mean is ``None`` and only counts are
shown. scipy is imported on first use: a command that needs no statistics starts faster.
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
    "load",
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


def load() -> None:
    """Import what the statistics need (scipy, ~0.4 CPU-s the first time in a process), so that
    a caller can do it while it waits for the database."""
    import scipy.special  # noqa: F401


def _z() -> float:
    """The two-sided normal quantile for ``CONFIDENCE`` (1.959963984540054)."""
    from scipy.special import ndtri

    return float(ndtri(1 - (1 - CONFIDENCE) / 2))


def wilson(count: int, n: int) -> tuple[float, float]:
    """The Wilson score 95 % interval for ``count`` successes in ``n`` trials (n > 0).

    statsmodels' ``proportion_confint(count, n, method="wilson")``, term for term.
    """
    _counts(count, n)
    if n == 0:
        raise ValueError("no interval for n = 0")
    z = _z()
    p = count / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


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
    from scipy.special import stdtrit

    # scipy's ``t.interval(CONFIDENCE, df, loc, scale)``: loc -/+ t(1 - alpha/2, df) x scale.
    half = float(stdtrit(n - 1, 1 - (1 - CONFIDENCE) / 2)) * sd / math.sqrt(n)
    return MeanCI(n, mean, sd, mean - half, mean + half)


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

    As lifelines computes it: S(t) is the product over event days t_i <= t of (1 - d_i / n_i);
    Greenwood's sum V(t) adds d_i / (n_i (n_i - d_i)) (0 where everyone at risk had the event);
    the interval is the exponential Greenwood one, exp(-exp(log(-log S) -/+ z sqrt(V) / log S)),
    and 1 where it is undefined (S = 1).
    """
    rows = [(int(d), bool(e), int(c)) for d, e, c in groups if c > 0]
    if any(d < 0 for d, _, _ in rows):
        raise ValueError("durations must be >= 0")
    if not rows:
        return [KMPoint(m, day, None, None, None, 0) for m, day in at]
    # Per distinct day: patients whose duration ends there, and how many of them had the event.
    ended: dict[int, int] = {}
    events: dict[int, int] = {}
    for day, event, count in rows:
        ended[day] = ended.get(day, 0) + count
        if event:
            events[day] = events.get(day, 0) + count
    # Walk the days in order: (day, log S, Greenwood sum) after that day's events.
    steps: list[tuple[int, float, float]] = []
    at_risk = sum(ended.values())
    log_s, greenwood = 0.0, 0.0
    for day in sorted(ended):
        died = events.get(day, 0)
        if died:
            log_s = -math.inf if died == at_risk else log_s + math.log((at_risk - died) / at_risk)
            if died < at_risk:
                greenwood += died / (at_risk * (at_risk - died))
        steps.append((day, log_s, greenwood))
        at_risk -= ended[day]
    z = _z()
    out = []
    for months, day in at:
        risk = sum(c for d, _, c in rows if d >= day)
        if risk == 0:
            # Past the last follow-up the curve is not known: say so rather than carry it on.
            out.append(KMPoint(months, day, None, None, None, 0))
            continue
        log_s, greenwood = next(((s, v) for d, s, v in reversed(steps) if d <= day), (0.0, 0.0))
        low, high = _exp_greenwood(log_s, greenwood, z)
        out.append(KMPoint(months, day, math.exp(log_s), low, high, risk))
    return out


def _exp_greenwood(log_s: float, greenwood: float, z: float) -> tuple[float, float]:
    if log_s == 0.0:
        return 1.0, 1.0  # lifelines: 0/0, filled with 1
    if log_s == -math.inf:
        return 0.0, 0.0
    centre = math.log(-log_s)
    spread = z * math.sqrt(greenwood) / log_s
    return math.exp(-math.exp(centre - spread)), math.exp(-math.exp(centre + spread))
