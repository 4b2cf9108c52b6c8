"""The fact vocabulary: every fact computes, shows and asks for itself; the docs list them all."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from annulus.candidacy.engine import (
    COMBINATORS,
    FACTS,
    LEVELS,
    OPERATORS,
    load_protocol,
    parse_case,
)
from annulus.candidacy.engine.context import Context, Fact, Kind, Scope
from annulus.candidacy.engine.facts import get_fact

from .support import example

DOCS = Path(__file__).resolve().parents[4] / "docs" / "criteria-authoring.md"
MINIMAL = {"case_id": "m", "assessed_on": "2026-10-01", "patient": {"age_years": 50}}


def contexts(case: dict[str, Any]) -> dict[Scope, list[Context]]:
    """A case context, one context per disc level, one per discogram."""
    parsed = parse_case(case)
    root = Context(parsed, load_protocol("annulus-default").discogram)
    levels = (parsed.imaging.levels if parsed.imaging else None) or {}
    discs = (parsed.diagnostics.discography if parsed.diagnostics else None) or []
    return {
        Scope.CASE: [root],
        Scope.LEVEL: [root.child(lv, findings=levels.get(lv)) for lv in LEVELS],
        Scope.DISC: [root.child(d.level, disc=d) for d in discs],
    }


@pytest.mark.parametrize("case", [example(), MINIMAL], ids=["full", "minimal"])
def test_it_computes_shows_and_asks_for_every_fact(case: dict[str, Any]) -> None:
    by_scope = contexts(case)
    for fact in FACTS.values():
        for ctx in by_scope[fact.scope]:
            value = ctx.value(fact)
            assert isinstance(fact.display(value), str) and fact.display(value)
            todo = fact.todo(ctx)
            assert all(isinstance(item, str) and item for item in todo)
            _assert_kind(fact, value)


def _assert_kind(fact: Fact, value: object) -> None:
    if value is None:
        return
    expected = {
        Kind.NUMBER: (int, float),
        Kind.BOOLEAN: (bool,),
        Kind.CHOICE: (str,),
        Kind.LEVELS: (tuple,),
        Kind.TEXT: (str,),
    }[fact.kind]
    assert isinstance(value, expected), (fact.name, value)
    if fact.kind is Kind.CHOICE:
        assert value in fact.choices
    if fact.kind is Kind.NUMBER:
        assert not isinstance(value, bool)


def test_it_answers_case_facts_the_same_in_a_level_context() -> None:
    by_scope = contexts(example())
    root, level = by_scope[Scope.CASE][0], by_scope[Scope.LEVEL][0]
    fact = get_fact("symptoms.back_pain_nrs")
    assert level.value(fact) == root.value(fact) == 7


def test_it_knows_only_its_own_words() -> None:
    with pytest.raises(KeyError):
        get_fact("symptoms.mood")


def value_of(name: str, case: dict[str, Any], level: str | None = None) -> str:
    by_scope = contexts(case)
    fact = FACTS[name]
    if fact.scope is Scope.CASE:
        ctx = by_scope[Scope.CASE][0]
    else:
        ctx = next(c for c in by_scope[Scope.LEVEL] if c.level == level)
    return fact.display(ctx.value(fact))


@pytest.mark.parametrize(
    ("changes", "name", "shown"),
    [
        ({}, "symptoms.back_pain_duration_months", "14 months"),
        (
            {"symptoms.back_pain_duration_months": 1},
            "symptoms.back_pain_duration_months",
            "1 month",
        ),
        (
            {"symptoms.back_pain_duration_months": 7.25},
            "symptoms.back_pain_duration_months",
            "7.25 months",
        ),
        ({"symptoms.odi": 100 / 3}, "symptoms.odi", "33.3333%"),
        ({"symptoms.odi": None}, "symptoms.odi", "not recorded"),
        ({}, "imaging.mri_age_days", "113 days"),
        ({"imaging.mri_date": "2026-09-30"}, "imaging.mri_age_days", "1 day"),
        ({}, "symptoms.radicular_signs", "no"),
        ({}, "discography.positive_levels", "L4-L5"),
        ({"diagnostics.discography": []}, "discography.positive_levels", "none"),
        (
            {},
            "conservative_care.epidural_steroid_summary",
            "given; no relief lasting 3 months or more",
        ),
        (
            {"conservative_care.epidural_steroid": {"received": False}},
            "conservative_care.epidural_steroid_summary",
            "none given",
        ),
        (
            {"conservative_care.epidural_steroid": {"received": True}},
            "conservative_care.epidural_steroid_summary",
            "given; whether it gave lasting relief not recorded",
        ),
        (
            {"conservative_care.epidural_steroid": {"sustained_relief": True}},
            "conservative_care.epidural_steroid_summary",
            "not recorded whether given; relief lasting 3 months or more",
        ),
        (
            {},
            "diagnostics.facet_summary",
            "most recent medial branch block (2026-05-02, L4-L5, L5-S1) gave 20% relief",
        ),
        (
            {"diagnostics.medial_branch_blocks": None},
            "diagnostics.facet_summary",
            "no medial branch block; facet block not marked",
        ),
        (
            {
                "diagnostics.medial_branch_blocks": None,
                "diagnostics.facet_block_not_indicated": True,
            },
            "diagnostics.facet_summary",
            "no medial branch block; facet block marked not indicated",
        ),
        (
            {
                "diagnostics.medial_branch_blocks": None,
                "diagnostics.facet_block_not_indicated": False,
            },
            "diagnostics.facet_summary",
            "no medial branch block; facet block marked indicated",
        ),
        ({}, "diagnostics.si_joint_summary", "no SI joint block"),
        (
            {"diagnostics.si_joint_blocks": [{"date": "2026-03-03", "relief_percent": 80.5}]},
            "diagnostics.si_joint_summary",
            "most recent SI joint block (2026-03-03) gave 80.5% relief",
        ),
        (
            {},
            "discography.summary",
            "L3-L4 no pain (negative control);"
            " L4-L5 concordant 8/10 at 12 psi above opening (positive)",
        ),
        ({"diagnostics": None}, "discography.summary", "not done"),
        ({}, "discography.adjacent_levels_stimulated", "L3-L4"),
        ({}, "discography.adjacent_negative_controls", "L3-L4"),
        ({}, "discography.positive_level_count", "1"),
        ({}, "discography.positive_levels_contiguous", "yes"),
    ],
)
def test_it_shows_facts_in_words(changes: dict[str, Any], name: str, shown: str) -> None:
    assert value_of(name, example(**changes)) == shown


def test_it_describes_every_kind_of_discogram() -> None:
    case = example()
    case["diagnostics"]["discography"] = [
        {
            "level": "L1-L2",
            "concordance": "discordant",
            "pain_intensity": 6,
            "pain_onset_psi_above_opening": 30,
        },
        {
            "level": "L2-L3",
            "concordance": "concordant",
            "pain_intensity": 4,
            "pain_onset_psi_above_opening": 10,
        },
        {"level": "L3-L4", "pain_intensity": 8},
        {
            "level": "L4-L5",
            "concordance": "concordant",
            "pain_intensity": 8,
            "pain_onset_psi_above_opening": 12,
        },
    ]
    assert value_of("discography.summary", case) == (
        "L1-L2 discordant 6/10 at 30 psi above opening (negative control); "
        "L2-L3 concordant 4/10 at 10 psi above opening (neither positive nor a control); "
        "L3-L4 pain of unrecorded concordance 8/10 at not recorded above opening"
        " (record incomplete); "
        "L4-L5 concordant 8/10 at 12 psi above opening (positive)"
    )
    assert value_of("discography.positive_level_count", case) == "not recorded"
    assert value_of("discography.positive_levels_contiguous", case) == "not recorded"
    assert value_of("level.discogram_summary", case, "L4-L5").endswith("(positive)")
    assert value_of("level.discogram_summary", case, "L5-S1") == "no discogram"


@pytest.mark.parametrize(
    ("findings", "shown"),
    [
        ({"contour": "bulge"}, "bulge"),
        ({"contour": "protrusion", "protrusion_mm": 4.5}, "protrusion of 4.5 mm"),
        ({"contour": "protrusion"}, "protrusion of unrecorded size"),
        ({}, "contour not recorded"),
    ],
)
def test_it_describes_the_disc_contour(findings: dict[str, Any], shown: str) -> None:
    case = example(**{"imaging.levels": {"L4-L5": findings}})
    assert value_of("level.contour_description", case, "L4-L5") == shown


def test_it_describes_prior_procedures_near_a_level() -> None:
    procedures = [
        {"level": "L5-S1", "type": "disc_replacement", "year": 2018},
        {"level": "L4-L5", "type": "discectomy"},
        {"level": "L1-L2", "type": "fusion", "year": 2001},
    ]
    case = example(**{"history.prior_spine_procedures": procedures})
    assert value_of("level.prior_procedures_nearby", case, "L4-L5") == (
        "disc replacement at L5-S1 (2018); discectomy at L4-L5"
    )
    assert value_of("level.prior_fusion_or_disc_replacement_at_or_adjacent", case, "L4-L5") == "yes"
    assert value_of("level.prior_fusion_or_disc_replacement_at_or_adjacent", case, "L3-L4") == "no"
    assert value_of("level.prior_decompression_at_level", case, "L4-L5") == "yes"
    assert value_of("level.prior_intradiscal_at_level", case, "L4-L5") == "no"
    assert value_of("level.prior_procedures_nearby", example(), "L4-L5") == "none recorded"


def test_it_asks_for_what_is_missing_in_the_coordinators_words() -> None:
    by_scope = contexts(MINIMAL)
    root, level = by_scope[Scope.CASE][0], by_scope[Scope.LEVEL][0]
    assert FACTS["red_flags.iv_drug_use"].todo(root) == ("Answer the red-flag screen: IV drug use",)
    assert FACTS["discography.positive_level_found"].todo(root) == ("Provocative discography",)
    assert FACTS["discography.adjacent_negative_control"].todo(root) == ("Provocative discography",)
    assert FACTS["level.pfirrmann_grade"].todo(level) == ("MRI findings at L1-L2",)
    assert FACTS["level.contour_description"].todo(level) == ("MRI at L1-L2: disc contour",)
    assert FACTS["level.flexion_extension_translation_mm"].todo(level) == (
        "Flexion-extension radiographs at L1-L2: translation (mm)",
    )
    with_findings = contexts(example())[Scope.LEVEL]
    l45 = next(c for c in with_findings if c.level == "L4-L5")
    assert FACTS["level.pfirrmann_grade"].todo(l45) == ("MRI at L4-L5: Pfirrmann grade",)


def test_it_has_no_adjacent_control_before_a_positive_level() -> None:
    case = example()
    case["diagnostics"]["discography"] = [{"level": "L4-L5", "concordance": "none"}]
    root = contexts(case)[Scope.CASE][0]
    assert root.value(FACTS["discography.adjacent_negative_control"]) is None
    assert root.value(FACTS["discography.positive_level_found"]) is False


def test_it_documents_every_fact_operator_and_combinator() -> None:
    text = DOCS.read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z_][a-z0-9_.]*)`", text))
    for name in [*FACTS, *OPERATORS, *COMBINATORS]:
        assert name in documented, f"docs/criteria-authoring.md does not mention `{name}`"
