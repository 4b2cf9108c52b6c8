"""Responder status against baseline (clinical-reference §4.9-4.10) and the composite."""

from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from annulus.outcomes import responders
from annulus.outcomes.responders import (
    NRS_RULE,
    composite_response,
    nrs_response,
    odi_response,
    rmdq_response,
)

RANK = {"non-responder": 0, "responder": 1, "strong": 2}


def test_it_exports_its_public_names() -> None:
    assert sorted(responders.__all__) == sorted(
        [
            "COMPOSITE_PERCENT",
            "NRS_RULE",
            "ODI_RULE",
            "RMDQ_RULE",
            "ChangeRule",
            "Composite",
            "CompositeStatus",
            "ResponderStatus",
            "Response",
            "classify_change",
            "responder_label",
            "composite_response",
            "nrs_response",
            "odi_response",
            "rmdq_response",
        ]
    )


# ---- ODI: >= 30 % or >= 10 points --------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "follow_up", "status", "met"),
    [
        (50, 35, "responder", ("points", "percent")),  # 15 points, 30 %
        (50, 41, "non-responder", ()),  # 9 points, 18 %
        (20, 13, "responder", ("percent",)),  # 7 points, 35 %
        (80, 70, "responder", ("points",)),  # 10 points, 12.5 %
        (80, 71, "non-responder", ()),  # 9 points, 11.25 %
        (22, 15.4, "responder", ("percent",)),  # exactly 30 %; as binary floats, 29.99... %
        (30, 40, "non-responder", ()),  # worse
        (0, 0, "non-responder", ()),  # nothing to improve
    ],
)
def test_it_classifies_odi_change(
    baseline: float, follow_up: float, status: str, met: tuple[str, ...]
) -> None:
    result = odi_response(baseline, follow_up)
    assert (result.status, result.met) == (status, met)
    assert result.improvement == pytest.approx(baseline - follow_up)


def test_it_reports_odi_percent_and_points() -> None:
    result = odi_response(40, 26)
    assert (result.improvement, result.percent, result.baseline, result.follow_up) == (
        14.0,
        35.0,
        40.0,
        26.0,
    )
    assert result.reason is None
    assert odi_response(0, 0).percent is None


# ---- NRS: >= 2 points or >= 30 %; >= 50 % is "strong" ------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "follow_up", "status"),
    [
        (8, 4, "strong"),  # 50 %
        (8, 5, "responder"),  # 3 points, 37.5 %
        (8, 6, "responder"),  # 2 points, 25 %
        (5, 4, "non-responder"),  # 1 point, 20 %
        (3, 2, "responder"),  # 1 point, 33 %
        (2, 1, "strong"),  # 50 %, though only 1 point
        (0, 0, "non-responder"),
        (4, 6, "non-responder"),
    ],
)
def test_it_classifies_nrs_change(baseline: int, follow_up: int, status: str) -> None:
    assert nrs_response(baseline, follow_up).status == status


def test_it_classifies_rmdq_change() -> None:
    assert rmdq_response(12, 7).met == ("points", "percent")  # 5 points, 41.7 %
    assert rmdq_response(20, 15).met == ("points",)  # 5 points, 25 %
    assert rmdq_response(12, 7).status == "responder"
    assert rmdq_response(24, 20).status == "non-responder"


def test_it_does_not_guess_without_baseline_or_follow_up() -> None:
    assert odi_response(None, 20).reason == "no baseline score"
    assert nrs_response(6, None).reason == "no follow-up score"
    both = rmdq_response(None, None)
    assert (both.status, both.reason, both.percent, both.met) == (
        "unknown",
        "no baseline and no follow-up score",
        None,
        (),
    )
    assert odi_response(None, 20).follow_up == 20.0


@pytest.mark.parametrize(
    ("baseline", "follow_up", "message"),
    [
        (11, 3, "nrs baseline: 11 is outside 0-10"),
        (5, -1, "nrs follow-up: -1 is outside 0-10"),
        (float("nan"), 3, "nrs baseline: nan is not a finite number"),
        (True, 3, "nrs baseline: True is not a finite number"),
        ("5", 3, "nrs baseline: '5' is not a finite number"),
    ],
)
def test_it_refuses_values_outside_the_scale(baseline: Any, follow_up: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        nrs_response(baseline, follow_up)


scores = st.integers(0, 10) | st.floats(0, 10, allow_nan=False).map(lambda x: round(x, 1))


@given(baseline=scores, follow_up=scores)
@example(baseline=3.0, follow_up=2.1)  # exactly 30 %; as binary floats, just under
def test_it_meets_a_criterion_exactly_when_its_threshold_is_reached(
    baseline: float, follow_up: float
) -> None:
    result = nrs_response(baseline, follow_up)
    # Compare in tenths so the check itself has no binary rounding.
    before, after = round(baseline * 10), round(follow_up * 10)
    assert ("points" in result.met) == (before - after >= 10 * NRS_RULE.min_points)
    assert ("percent" in result.met) == (before > 0 and (before - after) * 100 >= 30 * before)
    assert ("strong" in result.met) == (before > 0 and (before - after) * 100 >= 50 * before)
    assert (result.status == "non-responder") == (not result.met)


@given(baseline=st.integers(0, 10), follow_up=st.integers(0, 9))
def test_it_never_ranks_a_lower_follow_up_pain_worse(baseline: int, follow_up: int) -> None:
    worse = nrs_response(baseline, follow_up + 1)
    better = nrs_response(baseline, follow_up)
    assert RANK[better.status] >= RANK[worse.status]


# ---- the NCT01011816-style composite (clinical-reference §1.3, §4.10) ---------------------------

SUCCESS: dict[str, Any] = {
    "pain_baseline": 7,
    "pain_follow_up": 4,  # 43 %
    "function_baseline": 14,
    "function_follow_up": 9,  # 36 %
    "neurological_status_maintained": True,
    "secondary_intervention_at_level": False,
    "serious_adverse_event": False,
}


def test_it_counts_the_composite_a_success_only_when_every_criterion_is_met() -> None:
    result = composite_response(**SUCCESS)
    assert (result.status, result.reason) == ("success", "all criteria met")
    assert dict(result.components) == {
        "pain-30-percent": True,
        "rmdq-30-percent": True,
        "neurological-status-maintained": True,
        "no-secondary-intervention": True,
        "no-serious-adverse-event": True,
    }


@pytest.mark.parametrize(
    ("change", "failed"),
    [
        ({"pain_follow_up": 5}, "pain-30-percent"),  # 28.6 %
        ({"function_follow_up": 10}, "rmdq-30-percent"),  # 28.6 %
        ({"neurological_status_maintained": False}, "neurological-status-maintained"),
        ({"secondary_intervention_at_level": True}, "no-secondary-intervention"),
        ({"serious_adverse_event": True}, "no-serious-adverse-event"),
        ({"pain_baseline": 0, "pain_follow_up": 0}, "pain-30-percent"),
    ],
)
def test_it_fails_the_composite_on_any_one_criterion(change: dict[str, Any], failed: str) -> None:
    result = composite_response(**(SUCCESS | change))
    assert (result.status, result.reason) == ("failure", f"not met: {failed}")


def test_it_leaves_the_composite_unknown_when_a_criterion_is_unknown() -> None:
    result = composite_response(**(SUCCESS | {"function_follow_up": None}))
    assert (result.status, result.reason) == ("unknown", "not known: rmdq-30-percent")
    unknown_sae = composite_response(**(SUCCESS | {"serious_adverse_event": None}))
    assert dict(unknown_sae.components)["no-serious-adverse-event"] is None


def test_it_fails_the_composite_on_a_known_failure_even_with_gaps() -> None:
    result = composite_response(
        **(SUCCESS | {"pain_follow_up": None, "serious_adverse_event": True})
    )
    assert (result.status, result.reason) == ("failure", "not met: no-serious-adverse-event")


def test_it_accepts_odi_for_function_and_vas_for_pain() -> None:
    result = composite_response(
        **(
            SUCCESS
            | {
                "pain_baseline": 70,
                "pain_follow_up": 49,  # 30 % on a 0-100 mm VAS
                "function_baseline": 40,
                "function_follow_up": 28,
                "function_measure": "odi",
                "pain_scale_max": 100,
            }
        )
    )
    assert result.status == "success"
    assert "odi-30-percent" in dict(result.components)


def test_it_refuses_an_unknown_function_measure_and_out_of_range_values() -> None:
    with pytest.raises(ValueError, match="function_measure: 'sf36'"):
        composite_response(**(SUCCESS | {"function_measure": "sf36"}))
    with pytest.raises(ValueError, match="rmdq follow-up: 25 is outside 0-24"):
        composite_response(**(SUCCESS | {"function_follow_up": 25}))


def test_odi_70_to_60_is_improved_by_the_mic_never_responder():
    from annulus.outcomes.responders import odi_response, responder_label

    assert responder_label(odi_response(70, 60)) == "Improved by the MIC"
    assert responder_label(odi_response(70, 49)) == "Responder"  # 30 % of baseline
    assert responder_label(odi_response(70, 65)) == "Not a responder"
    assert responder_label(odi_response(None, 65)) == "Unknown"


def test_a_halved_pain_score_is_labelled_a_strong_responder():
    from annulus.outcomes.responders import nrs_response, responder_label

    assert responder_label(nrs_response(8, 4)) == "Strong responder"  # 50 % less pain
    assert responder_label(nrs_response(8, 5)) == "Responder"  # 3 points, 37.5 %
