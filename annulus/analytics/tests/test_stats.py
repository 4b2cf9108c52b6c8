"""The statistics against hand calculations on small fixed cohorts."""

import math

import pytest

from annulus.analytics import stats


def _wilson_by_hand(k: int, n: int) -> tuple[float, float]:
    z = 1.959963984540054
    p = k / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return centre - half, centre + half


def test_it_gives_the_wilson_interval_of_7_in_10() -> None:
    low, high = stats.wilson(7, 10)
    assert (round(low, 4), round(high, 4)) == (0.3968, 0.8922)
    assert (low, high) == pytest.approx(_wilson_by_hand(7, 10))


def test_it_keeps_the_wilson_interval_inside_0_and_1_at_the_edges() -> None:
    low, high = stats.wilson(0, 12)
    assert low == pytest.approx(0.0, abs=1e-12) and high == pytest.approx(_wilson_by_hand(0, 12)[1])
    low, high = stats.wilson(12, 12)
    assert high == pytest.approx(1.0) and low == pytest.approx(_wilson_by_hand(12, 12)[0])


def test_it_gives_a_rate_with_its_interval_from_ten_answers() -> None:
    rate = stats.proportion(7, 10)
    assert rate.rate == 0.7 and not rate.too_few
    assert (rate.ci_low, rate.ci_high) == pytest.approx(_wilson_by_hand(7, 10))


def test_it_says_too_few_below_ten_answers_but_keeps_the_counts() -> None:
    rate = stats.proportion(6, 9)
    assert (rate.count, rate.n) == (6, 9)
    assert rate.too_few and rate.rate is None and rate.ci_low is None and rate.ci_high is None
    assert stats.proportion(0, 0).too_few


def test_it_refuses_impossible_counts() -> None:
    with pytest.raises(ValueError):
        stats.proportion(11, 10)
    with pytest.raises(ValueError):
        stats.attrition_bounds(3, 12, 10)


def test_it_gives_both_attrition_bounds() -> None:
    # 40 due, 25 answered, 15 responders: worst 15/40, best (15 + 15)/40.
    worst, best = stats.attrition_bounds(15, 25, 40)
    assert worst == pytest.approx(0.375)
    assert best == pytest.approx(0.75)


def test_it_gives_no_attrition_bounds_when_too_few_answered() -> None:
    assert stats.attrition_bounds(5, 9, 40) == (None, None)
    assert stats.attrition_bounds(0, 0, 0) == (None, None)


def test_it_gives_a_mean_change_with_a_t_interval() -> None:
    values = [10, 12, 8, 15, 9, 11, 14, 7, 13, 11]
    n, total, squares = len(values), sum(values), sum(v * v for v in values)
    result = stats.mean_change(n, total, squares)
    mean = total / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = 2.2621571627409915 * sd / math.sqrt(n)  # t(0.975, 9)
    assert result.mean == pytest.approx(11.0)
    assert result.sd == pytest.approx(sd)
    assert (result.ci_low, result.ci_high) == pytest.approx((mean - half, mean + half))


def test_it_gives_no_mean_below_ten_unless_asked() -> None:
    assert stats.mean_change(9, 90.0, 920.0).mean is None
    baseline = stats.mean_change(3, 30.0, 302.0, minimum=0)
    assert baseline.mean == 10.0 and baseline.sd == pytest.approx(1.0)
    assert stats.mean_change(1, 5.0, 25.0, minimum=0).sd is None


def test_it_estimates_kaplan_meier_with_censoring() -> None:
    # Days 1 (event), 2 (censored), 2 (event), 3 (event), 4 (censored).
    # S(1) = 4/5; S(2) = 4/5 x 3/4 = 0.6 (the censored patient is at risk on day 2);
    # S(3) = 0.6 x 1/2 = 0.3; S(4) = 0.3.
    groups = [(1, True, 1), (2, False, 1), (2, True, 1), (3, True, 1), (4, False, 1)]
    points = stats.kaplan_meier(groups, [(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 5)])
    assert [p.estimate for p in points[:5]] == pytest.approx([1.0, 0.8, 0.6, 0.3, 0.3])
    assert [p.at_risk for p in points] == [5, 5, 4, 2, 1, 0]
    assert points[5].estimate is None  # nobody followed that long
    for point in points[1:5]:
        assert point.ci_low is not None and point.ci_high is not None
        assert point.ci_low <= point.estimate <= point.ci_high  # type: ignore[operator]


def test_it_weights_grouped_durations_like_single_patients() -> None:
    grouped = stats.kaplan_meier([(10, True, 3), (20, False, 7)], [(1, 15)])
    single = stats.kaplan_meier([(10, True, 1)] * 3 + [(20, False, 1)] * 7, [(1, 15)])
    assert grouped[0].estimate == pytest.approx(0.7) == single[0].estimate
    assert grouped[0].ci_low == pytest.approx(single[0].ci_low)
    assert grouped[0].at_risk == 7


def test_it_gives_no_curve_for_an_empty_cohort() -> None:
    assert stats.kaplan_meier([], [(12, 365)])[0].estimate is None


def test_it_refuses_what_has_no_answer() -> None:
    with pytest.raises(ValueError):
        stats.wilson(0, 0)
    with pytest.raises(ValueError):
        stats.mean_change(-1, 0.0, 0.0)
    with pytest.raises(ValueError):
        stats.kaplan_meier([(-1, True, 1)], [(1, 30)])


def test_it_gives_a_mean_without_spread_when_it_cannot() -> None:
    assert stats.mean_change(12, 120.0, None) == stats.MeanCI(12, 10.0, None, None, None)
    same = stats.mean_change(10, 50.0, 250.0)
    assert (same.mean, same.sd, same.ci_low, same.ci_high) == (5.0, 0.0, 5.0, 5.0)


# ---- the libraries are the reference ---------------------------------------------------------
# stats.py evaluates the formulas itself (importing lifelines and statsmodels costs most of the
# report command's time); these hold it to the libraries the issue names, on random cohorts.

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 5000), data=st.data())
def test_its_wilson_interval_is_statsmodels(n: int, data: st.DataObject) -> None:
    from statsmodels.stats.proportion import proportion_confint

    count = data.draw(st.integers(0, n))
    low, high = proportion_confint(count, n, alpha=0.05, method="wilson")
    assert stats.wilson(count, n) == pytest.approx(
        (max(0.0, low), min(1.0, high)), rel=1e-12, abs=1e-12
    )


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.integers(-100, 100), min_size=10, max_size=400))
def test_its_mean_interval_is_scipys_t_interval(values: list[int]) -> None:
    from scipy import stats as scipy_stats

    n, total, squares = len(values), sum(values), sum(v * v for v in values)
    result = stats.mean_change(n, total, squares)
    mean = total / n
    sd = math.sqrt(max(0.0, (squares - n * mean * mean) / (n - 1)))
    if sd == 0:
        assert (result.ci_low, result.ci_high) == (mean, mean)
        return
    low, high = scipy_stats.t.interval(0.95, df=n - 1, loc=mean, scale=sd / math.sqrt(n))
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high), rel=1e-9, abs=1e-9)


def _lifelines(
    groups: list[tuple[int, bool, int]], at: list[tuple[float, int]]
) -> list[tuple[float, float, float] | None]:
    from lifelines import KaplanMeierFitter

    fitter = KaplanMeierFitter(alpha=0.05)
    fitter.fit(
        [d for d, _, _ in groups],
        event_observed=[e for _, e, _ in groups],
        weights=[c for _, _, c in groups],
    )
    survival = fitter.survival_function_.iloc[:, 0]
    bounds = fitter.confidence_interval_survival_function_
    out: list[tuple[float, float, float] | None] = []
    for _, day in at:
        if not any(d >= day for d, _, c in groups if c):
            out.append(None)
            continue
        position = int((survival.index <= day).nonzero()[0][-1])
        out.append(
            (
                float(survival.iloc[position]),
                float(bounds.iloc[position, 0]),
                float(bounds.iloc[position, 1]),
            )
        )
    return out


@settings(max_examples=60, deadline=None)
@given(
    groups=st.lists(
        st.tuples(st.integers(0, 2000), st.booleans(), st.integers(1, 40)), min_size=1, max_size=80
    )
)
def test_its_kaplan_meier_is_lifelines(groups: list[tuple[int, bool, int]]) -> None:
    at = [(m, d) for m, d in ((0, 0), (1.5, 45), (6, 182), (12, 365), (24, 730), (60, 1826))]
    ours = stats.kaplan_meier(groups, at)
    for point, expected in zip(ours, _lifelines(groups, at), strict=True):
        assert point.at_risk == sum(c for d, _, c in groups if d >= point.day)
        if expected is None:
            assert point.estimate is None
            continue
        assert (point.estimate, point.ci_low, point.ci_high) == pytest.approx(
            expected, rel=1e-9, abs=1e-12
        )


def test_its_kaplan_meier_matches_lifelines_when_everyone_at_risk_has_the_event() -> None:
    groups = [(5, True, 2), (9, True, 3), (9, False, 1), (12, True, 4)]
    at = [(0, 3), (1, 5), (2, 9), (3, 12)]
    ours = stats.kaplan_meier(groups, at)
    expected = _lifelines(groups, at)
    for point, found in zip(ours, expected, strict=True):
        assert (point.estimate, point.ci_low, point.ci_high) == pytest.approx(found)
    assert ours[3].estimate == 0.0 and (ours[3].ci_low, ours[3].ci_high) == (0.0, 0.0)
