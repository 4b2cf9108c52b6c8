from __future__ import annotations

import pytest

from annulus.screening import red_flags
from annulus.screening.assess import assess_red_flags

# spec/candidacy.md §4.1: a fixed vocabulary shared with the candidacy engine and intake.
SPEC_ROUTES = {
    "saddle_anesthesia": "emergency_department",
    "bladder_or_bowel_dysfunction": "emergency_department",
    "progressive_neurological_deficit": "emergency_department",
    "fever": "urgent_medical_review",
    "immunosuppression": "urgent_medical_review",
    "iv_drug_use": "urgent_medical_review",
    "cancer_history": "urgent_medical_review",
    "unexplained_weight_loss": "urgent_medical_review",
    "recent_significant_trauma": "urgent_medical_review",
}


def test_it_uses_exactly_the_nine_spec_flags_with_their_routes():
    assert {f.id: f.route for f in red_flags.RED_FLAGS} == SPEC_ROUTES
    assert len(red_flags.FLAG_IDS) == 9


def test_it_asks_the_cauda_equina_questions_first():
    assert red_flags.FLAG_IDS[:3] == (
        "saddle_anesthesia",
        "bladder_or_bowel_dysfunction",
        "progressive_neurological_deficit",
    )


def test_it_words_every_flag_as_a_plain_question_with_a_hint():
    for flag in red_flags.RED_FLAGS:
        assert flag.question.endswith("?"), flag.id
        assert flag.hint and flag.concern, flag.id
        assert "_" not in flag.question, flag.id


def test_it_routes_any_cauda_equina_sign_to_the_emergency_department_first():
    answers = dict.fromkeys(red_flags.FLAG_IDS, False) | {"fever": True, "saddle_anesthesia": True}
    assert red_flags.routes_for(answers) == ["emergency_department", "urgent_medical_review"]


@pytest.mark.parametrize("flag", red_flags.FLAG_IDS)
def test_it_stops_on_any_single_flag(flag):
    answers = dict.fromkeys(red_flags.FLAG_IDS, False) | {flag: True}
    verdict = assess_red_flags(answers)
    assert verdict is not None
    assert verdict.outcome == "urgent_referral"
    assert verdict.routes == (SPEC_ROUTES[flag],)


def test_it_lets_nine_noes_through_and_refuses_a_missing_answer():
    assert assess_red_flags(dict.fromkeys(red_flags.FLAG_IDS, False)) is None
    with pytest.raises(ValueError, match="fever"):
        assess_red_flags({f: False for f in red_flags.FLAG_IDS if f != "fever"})


def test_it_refuses_an_id_outside_the_vocabulary():
    with pytest.raises(KeyError):
        red_flags.by_id("back_pain")


def test_it_uses_the_same_flags_as_the_candidacy_engine():
    case = pytest.importorskip("annulus.candidacy.engine.case")
    assert set(red_flags.FLAG_IDS) == set(case.RED_FLAGS)
