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
    # protocol version 2 (spec/candidacy.md §6.2)
    "bilateral_sciatica": "emergency_department",
    "new_sexual_dysfunction": "emergency_department",
    "night_or_rest_pain": "urgent_medical_review",
    "infection_risk": "urgent_medical_review",
    # the trauma question's second half, asked on its own (feeds recent_significant_trauma)
    "fragility_trauma": "urgent_medical_review",
}
V2_FIELDS = {"bilateral_sciatica", "new_sexual_dysfunction", "night_or_rest_pain", "infection_risk"}


def test_it_uses_exactly_the_version_2_flags_with_their_routes():
    assert {f.id: f.route for f in red_flags.RED_FLAGS} == SPEC_ROUTES
    assert len(red_flags.FLAG_IDS) == 14


def test_it_asks_the_cauda_equina_questions_first():
    assert (
        set(red_flags.FLAG_IDS[:4])
        == set(red_flags.CAUDA_EQUINA_IDS)
        == {
            "saddle_anesthesia",
            "bladder_or_bowel_dysfunction",
            "bilateral_sciatica",
            "new_sexual_dysfunction",
        }
    )


def test_it_gives_the_trauma_question_a_time_frame_and_asks_fragility_separately():
    assert "past 3 months" in red_flags.by_id("recent_significant_trauma").question
    fragility = red_flags.by_id("fragility_trauma")
    assert "osteoporosis" in fragility.question and "steroid" in fragility.question
    assert fragility.engine_field == "recent_significant_trauma"


@pytest.mark.parametrize(
    ("trauma", "fragility", "engine"),
    [(None, None, None), (False, False, False), (False, True, True), (True, None, True),
     (None, False, None), (False, None, None)],
)  # fmt: skip
def test_it_feeds_either_trauma_answer_to_the_engine(trauma, fragility, engine):
    values = {"recent_significant_trauma": trauma, "fragility_trauma": fragility}
    assert red_flags.engine_red_flags(values)["recent_significant_trauma"] is engine
    assert "fragility_trauma" not in red_flags.engine_red_flags(values)


def test_it_tells_the_patient_what_to_do_from_the_most_urgent_answer():
    assert red_flags.instruction_for({"fever": True}, "+1 555 0100").heading == "Call us today"
    assert "+1 555 0100" in red_flags.instruction_for({"fever": True}, "+1 555 0100").text
    emergency = red_flags.instruction_for({"fever": True, "bilateral_sciatica": True})
    assert emergency is red_flags.EMERGENCY_INSTRUCTION
    assert emergency.heading == "Go to an emergency department now"
    assert red_flags.instruction_for({"fever": False, "saddle_anesthesia": None}) is None


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
    fields = {f.engine_field for f in red_flags.RED_FLAGS}
    assert set(case.RED_FLAGS) <= fields
    # Until the engine's version 2 case fields land, only those four may be extra.
    assert fields - set(case.RED_FLAGS) <= V2_FIELDS
