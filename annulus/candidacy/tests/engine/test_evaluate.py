"""The outcome rules of spec §4.5 and how each criterion's status is reached."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from annulus.candidacy.engine import evaluate, load_protocol, parse_case

from .support import SPEC_EXAMPLE, criterion, decide, example, minimal, statuses, write


def demo(tmp_path: Path, *, criteria: list[dict[str, Any]] = (), levels: list[dict[str, Any]] = ()):  # type: ignore[assignment, no-untyped-def]
    data = minimal()
    data["criteria"] += list(criteria)
    data["level_criteria"] = list(levels)
    write(tmp_path, data)
    return load_protocol("demo", directory=tmp_path)


def test_it_checks_red_flags_first_and_stops_there() -> None:
    decision = decide(example(**{"red_flags.fever": True, "patient.age_years": 90}))

    assert decision.outcome == "urgent_referral"
    assert decision.routes == ("urgent_medical_review",)
    assert [c.id for c in decision.criteria] == [
        c.id for c in load_protocol("annulus-default", 1).red_flags
    ]
    assert decision.levels == ()


def test_it_lists_level_criteria_once_as_not_applicable_without_a_positive_level() -> None:
    decision = decide(example(**{"diagnostics.discography": None}))
    level_results = [c for c in decision.criteria if c.id.startswith("L-")]

    assert len(level_results) == len(load_protocol("annulus-default", 1).level_criteria)
    assert {c.status for c in level_results} == {"not_applicable"}
    assert {c.level for c in level_results} == {None}


def test_it_evaluates_level_criteria_for_each_positive_level_cranial_to_caudal() -> None:
    case = example()
    case["imaging"]["levels"]["L5-S1"] = dict(case["imaging"]["levels"]["L4-L5"])
    case["diagnostics"]["discography"].append(
        {
            "level": "L5-S1",
            "concordance": "concordant",
            "pain_intensity": 9,
            "pain_onset_psi_above_opening": 5,
        }
    )
    decision = decide(case)

    assert decision.outcome == "candidate"
    assert decision.levels == ("L4-L5", "L5-S1")
    heights = [c.level for c in decision.criteria if c.id == "L-HEIGHT"]
    assert heights == ["L4-L5", "L5-S1"]


def test_it_gives_no_routes_when_only_information_is_missing() -> None:
    decision = decide(example(**{"symptoms.odi": None}))

    assert decision.outcome == "needs_more_information"
    assert decision.routes == () and decision.levels == ()
    assert decision.missing == ("Disability score: ODI or RMDQ",)


def test_it_lists_each_missing_item_once() -> None:
    decision = decide(example(**{"symptoms.back_pain_nrs": None}))
    assert decision.missing.count("Average low back pain over the past 7 days (0-10)") == 1


def test_it_explains_a_missing_criterion_with_its_rule() -> None:
    by_id = {c.id: c for c in decide(example(**{"symptoms.odi": None})).criteria}
    assert by_id["P-DISABILITY"].explanation == (
        "Not known yet: Disability score: ODI or RMDQ. "
        "Rule: ODI of at least 30% or RMDQ of at least 9 (either one suffices)."
    )


def test_it_asks_for_the_rule_when_a_not_yet_criterion_has_no_todo(tmp_path: Path) -> None:
    protocol = demo(
        tmp_path,
        criteria=[
            criterion(
                "P-RECENT",
                rule="Back pain for at most 12 months.",
                pass_when={"fact": "symptoms.back_pain_duration_months", "at_most": 12},
                if_not_met="missing",
            )
        ],
    )
    decision = evaluate(parse_case(SPEC_EXAMPLE), protocol)
    assert statuses(decision)["P-RECENT"] == "missing"
    assert decision.missing == ("Back pain for at most 12 months.",)


def test_it_asks_for_the_facts_of_a_warning_only_criterion_when_told_to(tmp_path: Path) -> None:
    protocol = demo(
        tmp_path,
        criteria=[
            criterion(
                "P-RMDQ-HIGH",
                warn_when=[
                    {"when": {"fact": "symptoms.rmdq", "greater_than": 20}, "warning": "High RMDQ."}
                ],
            )
        ],
    )
    decision = evaluate(parse_case(SPEC_EXAMPLE), protocol)
    assert statuses(decision)["P-RMDQ-HIGH"] == "missing"
    assert decision.missing == ("Roland-Morris Disability Questionnaire (RMDQ)",)
    high = evaluate(parse_case(example(**{"symptoms.rmdq": 22})), protocol)
    assert statuses(high)["P-RMDQ-HIGH"] == "warning" and high.warnings == ("High RMDQ.",)


def test_it_ignores_an_open_warning_on_a_criterion_that_passed(tmp_path: Path) -> None:
    protocol = demo(
        tmp_path,
        criteria=[
            criterion(
                "P-AGE",
                pass_when={"fact": "patient.age_years", "at_least": 18},
                route="multidisciplinary_review",
                warn_when=[
                    {"when": {"fact": "symptoms.rmdq", "greater_than": 20}, "warning": "High."}
                ],
            )
        ],
    )
    decision = evaluate(parse_case(SPEC_EXAMPLE), protocol)
    assert statuses(decision)["P-AGE"] == "pass" and decision.warnings == ()


def test_it_can_use_case_facts_in_level_criteria_and_repeat_unpublished_ones(
    tmp_path: Path,
) -> None:
    protocol = demo(
        tmp_path,
        levels=[
            criterion(
                "L-AGE-AND-GRADE",
                pass_when={
                    "all": [
                        {"fact": "patient.age_years", "at_most": 60},
                        {"fact": "level.pfirrmann_grade", "at_least": 2},
                    ]
                },
                route="multidisciplinary_review",
                explanation="Age {patient.age_years} at {level}.",
            ),
            criterion("L-SECRET", not_published=True, explanation="Not published anywhere."),
        ],
    )
    decision = evaluate(parse_case(SPEC_EXAMPLE), protocol)
    found = {(c.id, c.level): c for c in decision.criteria}
    assert found[("L-AGE-AND-GRADE", "L4-L5")].explanation == "Age 44 at L4-L5."
    assert found[("L-SECRET", "L4-L5")].status == "not_applicable"
    assert decision.outcome == "candidate"


def test_it_reports_a_criterion_as_missing_while_its_applicability_is_unknown() -> None:
    decision = decide(example(**{"diagnostics.discography": None}))
    by_id = {c.id: c for c in decision.criteria}
    assert by_id["D-CONTROL"].status == "missing"
    assert by_id["D-CONTROL"].explanation.startswith("Not known yet: Provocative discography.")
