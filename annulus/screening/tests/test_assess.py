from __future__ import annotations

from dataclasses import replace

import pytest

from annulus.screening.assess import Answers, assess

FIT = Answers(
    age_band="18_to_75",
    duration="over_12_months",
    back_pain=6,
    pain_pattern="mostly_back",
    below_knee=False,
    care="three_months_with_exercise",
    prior_surgery="none",
)


def test_it_finds_a_typical_chronic_discogenic_story_worth_an_evaluation():
    verdict = assess(FIT)
    assert verdict.outcome == "worth_evaluation"
    assert verdict.reason_codes == ["meets_screen"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"age_band": "under_18"}, "age_under_18"),
        ({"age_band": "over_75"}, "age_over_75"),
        ({"pain_pattern": "mostly_leg"}, "leg_pain"),
        ({"pain_pattern": "back_and_leg"}, "leg_pain"),
        ({"below_knee": True}, "leg_pain"),
        ({"prior_surgery": "fusion_or_disc_replacement"}, "prior_fusion"),
        ({"prior_surgery": "intradiscal"}, "prior_intradiscal"),
    ],
)
def test_it_says_unlikely_to_fit_with_what_to_ask_instead(change, code):
    verdict = assess(replace(FIT, **change))
    assert verdict.outcome == "unlikely_fit"
    assert code in verdict.reason_codes
    assert all(reason.ask for reason in verdict.reasons)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"duration": "3_to_6_months"}, "short_duration"),
        ({"duration": "under_6_weeks"}, "short_duration"),
        ({"care": "some"}, "conservative_care"),
        ({"care": "none"}, "conservative_care"),
        ({"back_pain": 3}, "mild_pain"),
    ],
)
def test_it_says_conservative_care_first_with_the_reason(change, code):
    verdict = assess(replace(FIT, **change))
    assert verdict.outcome == "conservative_first"
    assert verdict.reason_codes == [code]


def test_it_uses_the_protocols_boundaries():
    assert assess(replace(FIT, duration="6_to_12_months")).outcome == "worth_evaluation"
    assert assess(replace(FIT, back_pain=4)).outcome == "worth_evaluation"
    assert assess(replace(FIT, prior_surgery="discectomy_or_laminectomy")).outcome == (
        "worth_evaluation"
    )


def test_it_prefers_unlikely_to_fit_over_conservative_care_and_lists_every_reason():
    verdict = assess(replace(FIT, pain_pattern="mostly_leg", age_band="over_75", care="none"))
    assert verdict.outcome == "unlikely_fit"
    assert verdict.reason_codes == ["age_over_75", "leg_pain"]
