"""Protocol files: loading, versions, hashes, listing, and what the loader refuses."""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path
from typing import Any

import pytest

from annulus.candidacy.engine import (
    ProtocolError,
    UnknownProtocolError,
    evaluate,
    list_protocols,
    load_protocol,
    parse_case,
    resolve_protocol,
)
from annulus.candidacy.engine.protocol import PROTOCOLS_DIR

from .support import SPEC_EXAMPLE, criterion, example, minimal, statuses, write

SHIPPED = ["annulus-default", "nct01011816-phase3", "yin-2014-pilot"]

# Released files never change: a new threshold is a new version. If this test fails, you edited
# a released protocol; restore it and copy your change into v<N+1>.yaml instead.
RELEASED_SHA256 = {
    ("annulus-default", 1): "20f42a2d08c448db29d8832ff8cebb88311266f0af05fbb1dd76504e202827d8",
    ("annulus-default", 2): "87f90884b1488ae21b2f8074c329f4b90a99b2d462c0e51cbe86d05c25dbff7d",
    ("nct01011816-phase3", 1): "a0b4ddaf61f5ffa2a67047d1a6e78c952cd793c0ca8d9c873c3b648036843291",
    ("yin-2014-pilot", 1): "0437690bcc7f66c19e6ff9c69822f72dd5d2e15d1308b31263823f64cb64c9d6",
}


def test_it_ships_three_protocols_and_lists_them_with_their_hashes() -> None:
    listed = list_protocols()

    assert [(p.id, p.version) for p in listed] == [
        ("annulus-default", 1),
        ("annulus-default", 2),
        ("nct01011816-phase3", 1),
        ("yin-2014-pilot", 1),
    ]
    for protocol in listed:
        path = PROTOCOLS_DIR / protocol.id / f"v{protocol.version}.yaml"
        assert protocol.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert protocol.title and protocol.summary


def test_it_never_changes_a_released_protocol() -> None:
    found = {(p.id, p.version): p.sha256 for p in list_protocols()}
    assert found == RELEASED_SHA256


def test_it_loads_the_newest_version_by_default(tmp_path: Path) -> None:
    write(tmp_path, minimal())
    write(tmp_path, {**minimal(), "version": 2, "title": "Second"}, version=2)

    assert load_protocol("demo", directory=tmp_path).version == 2
    assert load_protocol("demo", 1, directory=tmp_path).title == "Demo"
    assert resolve_protocol("demo@1", directory=tmp_path).version == 1
    assert resolve_protocol("demo", directory=tmp_path).version == 2
    assert resolve_protocol().id == "annulus-default"


def test_it_makes_annulus_default_v2_the_default_and_keeps_v1() -> None:
    assert (resolve_protocol().id, resolve_protocol().version) == ("annulus-default", 2)
    assert resolve_protocol("annulus-default@1").version == 1
    assert resolve_protocol("annulus-default@1").sha256 == RELEASED_SHA256[("annulus-default", 1)]


def test_it_caches_loaded_protocols() -> None:
    assert load_protocol("annulus-default") is load_protocol("annulus-default", 2)
    assert resolve_protocol("annulus-default@1") is load_protocol("annulus-default", 1)


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        (
            "nope",
            "unknown protocol 'nope' (known: annulus-default, nct01011816-phase3, yin-2014-pilot)",
        ),
        ("annulus-default@7", "protocol 'annulus-default' has no version 7 (released: 1, 2)"),
        ("annulus-default@latest", "write ID or ID@VERSION"),
        ("../annulus-default", "unknown protocol '../annulus-default'"),
        ("Annulus-Default", "unknown protocol 'Annulus-Default'"),
    ],
)
def test_it_refuses_unknown_protocols(reference: str, message: str) -> None:
    with pytest.raises(UnknownProtocolError, match=message.replace("(", r"\(").replace(")", r"\)")):
        resolve_protocol(reference)


def test_it_knows_no_protocol_in_an_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "stray.txt").write_text("x")
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "notes.yaml").write_text("x")

    with pytest.raises(UnknownProtocolError, match=r"known: none"):
        load_protocol("demo", directory=tmp_path)
    assert list_protocols(directory=tmp_path) == []


# ------------------------------------------------------------------ the trial protocols


def test_it_reports_unpublished_trial_criteria_as_not_applicable() -> None:
    for protocol_id in ("yin-2014-pilot", "nct01011816-phase3"):
        protocol = load_protocol(protocol_id)
        unpublished = [c for c in protocol.criteria if c.not_published]
        assert len(unpublished) >= 5
        for case in (example(), example(**{"diagnostics.discography": None})):
            decision = evaluate(parse_case(case), protocol)
            by_id = {c.id: c for c in decision.criteria}
            for unpublished_criterion in unpublished:
                result = by_id[unpublished_criterion.id]
                assert result.status == "not_applicable"
                assert "not published" in result.explanation


def test_it_keeps_the_red_flag_screen_in_the_trial_protocols() -> None:
    case = example(**{"red_flags.saddle_anesthesia": True})
    for protocol_id in SHIPPED:
        decision = evaluate(parse_case(case), load_protocol(protocol_id))
        assert decision.outcome == "urgent_referral"
        assert decision.routes == ("emergency_department",)


def pilot(**changes: Any) -> dict[str, str]:
    return statuses(evaluate(parse_case(example(**changes)), load_protocol("yin-2014-pilot")))


def phase3(**changes: Any) -> dict[str, str]:
    return statuses(evaluate(parse_case(example(**changes)), load_protocol("nct01011816-phase3")))


def test_it_applies_the_pilots_published_criteria() -> None:
    assert pilot()["P-FACET"] == "pass"
    no_block = {
        "diagnostics.medial_branch_blocks": None,
        "diagnostics.facet_block_not_indicated": True,
    }
    assert pilot(**no_block)["P-FACET"] == "missing"  # the pilot required a negative block
    assert pilot(**{"symptoms.leg_pain_nrs": 7})["P-LEG"] == "fail"  # back must exceed leg
    assert pilot(**{"symptoms.leg_pain_nrs": 6.9})["P-LEG"] == "pass"
    assert pilot(**{"conservative_care.duration_months": 1.38})["P-CONSERVATIVE"] == "pass"
    assert pilot(**{"conservative_care.duration_months": 1})["P-CONSERVATIVE"] == "fail"
    assert (
        pilot(**{"conservative_care.exercise_or_physical_therapy": False})["P-CONSERVATIVE"]
        == "pass"
    )
    assert pilot(**{"imaging.levels.L4-L5.stenosis": "mild"})["L-STENOSIS@L4-L5"] == "fail"
    assert pilot(**{"imaging.levels.L4-L5.spondylolisthesis_grade": 1})["L-SLIP@L4-L5"] == "fail"
    assert (
        pilot(**{"imaging.levels.L4-L5.disc_height_loss_percent": 34})["L-HEIGHT@L4-L5"] == "fail"
    )
    assert pilot(**{"patient.age_years": 76})["P-AGE"] == "fail"


def test_it_applies_the_phase3_published_criteria() -> None:
    assert phase3()["P-DISABILITY"] == "missing"  # ODI is not the trial's measure
    assert phase3(**{"symptoms.rmdq": 9})["P-DISABILITY"] == "pass"
    assert phase3(**{"symptoms.rmdq": 8})["P-DISABILITY"] == "fail"
    assert phase3(**{"patient.age_years": 80})["P-AGE"] == "pass"
    assert phase3(**{"symptoms.leg_pain_below_knee": True})["P-LEG"] == "fail"
    assert phase3(**{"conservative_care.duration_months": 3})["P-CONSERVATIVE"] == "pass"
    two_levels = example(**{"symptoms.rmdq": 12})
    two_levels["diagnostics"]["discography"].append(
        {"level": "L5-S1", "concordance": "concordant", "pain_intensity": 8}
    )
    decision = evaluate(parse_case(two_levels), load_protocol("nct01011816-phase3"))
    assert statuses(decision)["D-COUNT"] == "fail"
    assert decision.outcome == "not_candidate"


def test_it_finds_the_example_a_candidate_under_the_pilot_and_the_phase3_with_rmdq() -> None:
    assert (
        evaluate(parse_case(SPEC_EXAMPLE), load_protocol("yin-2014-pilot")).outcome == "candidate"
    )
    case = parse_case(example(**{"symptoms.rmdq": 12}))
    decision = evaluate(case, load_protocol("nct01011816-phase3"))
    assert decision.outcome == "candidate"
    assert decision.levels == ("L4-L5",)


# ------------------------------------------------------------------ what the loader refuses


def refused(tmp_path: Path, data: dict[str, Any] | str) -> str:
    write(tmp_path, data)
    with pytest.raises(ProtocolError) as caught:
        load_protocol("demo", directory=tmp_path)
    return str(caught.value)


def with_criterion(**fields: Any) -> dict[str, Any]:
    data = minimal()
    data["criteria"].append(criterion("P-TEST", **fields))
    return data


def test_it_loads_the_minimal_protocol(tmp_path: Path) -> None:
    write(tmp_path, minimal())
    protocol = load_protocol("demo", directory=tmp_path)
    assert [c.id for c in protocol.criteria] == ["D-DISCOGRAPHY"]


def test_it_refuses_a_file_that_is_not_yaml(tmp_path: Path) -> None:
    assert refused(tmp_path, "id: [demo").startswith("demo/v1.yaml: not valid YAML")


def test_it_refuses_a_file_outside_the_schema(tmp_path: Path) -> None:
    data = minimal()
    del data["title"]
    assert refused(tmp_path, data) == "demo/v1.yaml: title: required"
    data = minimal()
    data["criteria"][0]["route"] = "chiropractor"
    assert "criteria[0].route: must be one of emergency_department" in refused(tmp_path, data)


def test_it_refuses_a_file_at_the_wrong_path(tmp_path: Path) -> None:
    assert "must live at <id>/v<version>.yaml" in refused(tmp_path, {**minimal(), "version": 2})
    assert "must live at" in refused(tmp_path, {**minimal(), "id": "other"})


def test_it_refuses_a_criterion_id_used_twice(tmp_path: Path) -> None:
    data = minimal()
    data["criteria"].append(copy.deepcopy(data["criteria"][0]))
    assert "the id is used twice" in refused(tmp_path, data)


def test_it_refuses_a_red_flag_that_is_not_a_plain_check(tmp_path: Path) -> None:
    data = minimal()
    data["red_flags"][0]["applies_when"] = {"fact": "red_flags.fever", "is": True}
    data["red_flags"][0]["not_applicable"] = "n/a"
    assert "must be a plain `pass_when` with a `route`" in refused(tmp_path, data)


def test_it_refuses_a_protocol_that_never_confirms_the_painful_level(tmp_path: Path) -> None:
    data = minimal()
    data["criteria"] = []
    assert "no criterion requires discography.positive_level_found" in refused(tmp_path, data)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"not_published": True, "pass_when": {"fact": "symptoms.odi", "at_least": 1}},
            "has no conditions",
        ),
        ({"not_published": True}, "says 'not published'"),
        (
            {
                "pass_when": {"fact": "symptoms.odi", "at_least": 1},
                "route": "conservative_care",
                "checks": [
                    {
                        "pass_when": {"fact": "symptoms.odi", "at_least": 1},
                        "route": "conservative_care",
                    }
                ],
            },
            "either pass_when (with route) or checks",
        ),
        (
            {"pass_when": {"fact": "symptoms.odi", "at_least": 1}},
            "a criterion that fails needs a route",
        ),
        (
            {
                "pass_when": {"fact": "symptoms.odi", "at_least": 1},
                "route": "conservative_care",
                "if_not_met": "missing",
            },
            "a criterion that fails needs a route",
        ),
        (
            {
                "route": "conservative_care",
                "warn_when": [{"when": {"fact": "symptoms.odi", "at_least": 1}, "warning": "w"}],
            },
            "route without pass_when",
        ),
        (
            {
                "checks": [
                    {
                        "pass_when": {"fact": "symptoms.odi", "at_least": 1},
                        "route": "conservative_care",
                    }
                ],
                "if_not_met": "missing",
            },
            "if_not_met must be fail",
        ),
        ({}, "give pass_when, checks or warn_when"),
        (
            {
                "pass_when": {"fact": "symptoms.odi", "at_least": 1},
                "route": "conservative_care",
                "applies_when": {"fact": "symptoms.radicular_signs", "is": False},
            },
            "say in `not_applicable` why",
        ),
        (
            {
                "warn_when": [{"when": {"fact": "symptoms.odi", "at_least": 1}, "warning": "w"}],
                "if_unknown": "not_applicable",
            },
            "say in `not_applicable` why",
        ),
        (
            {
                "pass_when": {"fact": "symptoms.odi", "at_least": 1},
                "route": "conservative_care",
                "explanation": "{symptoms.od}",
            },
            "unknown fact {symptoms.od}",
        ),
        (
            {
                "pass_when": {"fact": "symptoms.odi", "at_least": 1},
                "route": "conservative_care",
                "explanation": "{level}",
            },
            "{level} is a level fact",
        ),
        (
            {
                "pass_when": {"fact": "symptoms.odi", "at_least": 1},
                "route": "conservative_care",
                "explanation": "odi} {",
            },
            "unbalanced brace",
        ),
    ],
)
def test_it_refuses_malformed_criteria(
    tmp_path: Path, fields: dict[str, Any], message: str
) -> None:
    assert message in refused(tmp_path, with_criterion(**fields))


CONDITION_ERRORS = [
    ({"all": ["odi >= 30"]}, "all[0]: a condition must be a mapping"),
    ({}, "a condition must be a mapping"),
    ({"all": [], "any": []}, "use exactly one of all, any, any_known, not (got all, any)"),
    ({"every": []}, "unknown key 'every'"),
    ({"all": []}, "all: must be a non-empty list of conditions"),
    ({"any": {"fact": "symptoms.odi", "at_least": 1}}, "any: must be a non-empty list"),
    ({"fact": "symptoms.odi"}, "needs `fact` and exactly one operator"),
    ({"fact": "symptoms.odi", "at_least": 1, "at_most": 2}, "exactly one operator"),
    ({"fact": "symptoms.odd", "at_least": 1}, "unknown fact 'symptoms.odd'"),
    ({"fact": 5, "at_least": 1}, "unknown fact 5"),
    ({"fact": "symptoms.odi", "above": 1}, "unknown operator 'above'"),
    ({"fact": "symptoms.radicular_signs", "equals": True}, "is a yes/no fact"),
    ({"fact": "symptoms.radicular_signs", "is": "no"}, "is a yes/no fact"),
    ({"fact": "patient.sex", "equals": "f"}, "'f' is not a value of patient.sex"),
    ({"fact": "patient.sex", "one_of": []}, "is a choice"),
    ({"fact": "patient.sex", "at_least": 1}, "is a choice"),
    ({"fact": "imaging.mri_date", "equals": "2026-01-01"}, "is text and is for explanations only"),
    (
        {"fact": "discography.positive_levels", "equals": 1},
        "is levels and is for explanations only",
    ),
    ({"fact": "symptoms.odi", "between": [1]}, "write `between: [low, high]`"),
    ({"fact": "symptoms.odi", "between": [5, 1]}, "low (5) is above high (1)"),
    ({"fact": "symptoms.odi", "one_of": 3}, "write `one_of: [numbers]`"),
    ({"fact": "symptoms.odi", "one_of": ["a"]}, "'a' is not a number"),
    ({"fact": "symptoms.odi", "is": True}, "`is` is for yes/no facts"),
    ({"fact": "symptoms.odi", "at_least": True}, "True is not a number"),
    ({"fact": "symptoms.odi", "at_least": "30"}, "'30' is not a number"),
    (
        {"fact": "symptoms.odi", "at_least": {"fact": "symptoms.rmdq", "plus": 1}},
        "write {fact: NAME, times: NUMBER}",
    ),
    ({"fact": "symptoms.odi", "at_least": {"times": 1}}, "write {fact: NAME, times: NUMBER}"),
    ({"fact": "symptoms.odi", "at_least": {"fact": "patient.sex"}}, "patient.sex is not a number"),
    (
        {"fact": "symptoms.odi", "at_least": {"fact": "symptoms.rmdq", "times": "2"}},
        "'2' is not a number",
    ),
    ({"fact": "level.pfirrmann_grade", "at_least": 1}, "is a level fact; here only case facts"),
    ({"fact": "disc.pain_intensity", "at_least": 1}, "is a disc fact; here only case facts"),
    ({"not": {"fact": "symptoms.odd", "is": True}}, "pass_when.not.fact: unknown fact"),
]


@pytest.mark.parametrize(("condition", "message"), CONDITION_ERRORS)
def test_it_refuses_conditions_outside_the_vocabulary(
    tmp_path: Path, condition: object, message: str
) -> None:
    data = with_criterion(pass_when=condition, route="conservative_care")
    assert message in refused(tmp_path, data)


def test_it_refuses_case_facts_in_discogram_rules(tmp_path: Path) -> None:
    data = minimal()
    data["discogram"]["positive_when"] = {"fact": "symptoms.odi", "at_least": 1}
    assert "is a case fact; here only disc facts" in refused(tmp_path, data)


def test_it_names_where_a_bad_condition_is(tmp_path: Path) -> None:
    data = minimal()
    data["level_criteria"] = [
        criterion(
            "L-TEST",
            checks=[
                {
                    "pass_when": {"fact": "level.pfirrmann_grade", "at_least": 2},
                    "route": "conservative_care",
                },
                {
                    "pass_when": {"all": [{"fact": "level.contour", "equals": "bulging"}]},
                    "route": "conservative_care",
                },
            ],
        )
    ]
    assert refused(tmp_path, data) == (
        "demo/v1.yaml: level_criteria[0] (L-TEST).checks[1].all[0].equals: 'bulging' is not a"
        " value of level.contour (normal, bulge, protrusion, extrusion, sequestration)"
    )
