"""Properties that must hold for every valid case, checked on generated cases (hypothesis)."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annulus.candidacy.engine import (
    LEVELS,
    ROUTES,
    STATUSES,
    evaluate,
    load_protocol,
    parse_case,
    resolve_protocol,
    serialize_case,
)
from annulus.candidacy.engine.case import RED_FLAGS, RED_FLAGS_V1

from .strategies import any_case, cases, near_candidates, v2_fields, with_v2_fields
from .support import example

PROTOCOLS = ["annulus-default@1", "annulus-default@2", "yin-2014-pilot", "nct01011816-phase3"]
# The protocols that do not know the spec §6.1 fields.
IGNORING_V2_FIELDS = ["annulus-default@1", "yin-2014-pilot", "nct01011816-phase3"]
FLAG_ROUTES = {
    "saddle_anesthesia": "emergency_department",
    "bladder_or_bowel_dysfunction": "emergency_department",
    "progressive_neurological_deficit": "emergency_department",
    "bilateral_sciatica": "emergency_department",
    "new_sexual_dysfunction": "emergency_department",
}
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(case=any_case(), protocol_id=st.sampled_from(PROTOCOLS), data=st.data())
def test_it_refers_urgently_whenever_any_red_flag_is_true(
    case: dict[str, Any], protocol_id: str, data: st.DataObject
) -> None:
    flag = data.draw(st.sampled_from(RED_FLAGS if protocol_id.endswith("@2") else RED_FLAGS_V1))
    case.setdefault("red_flags", {})[flag] = True

    decision = evaluate(parse_case(case), resolve_protocol(protocol_id))

    assert decision.outcome == "urgent_referral"
    assert FLAG_ROUTES.get(flag, "urgent_medical_review") in decision.routes
    assert set(decision.routes) <= {"emergency_department", "urgent_medical_review"}
    assert decision.levels == ()


# Every threshold value of the default protocol, and the direction in which it gets worse for
# candidacy ("away": away from the middle of an allowed range; "order": later in the list).
KNOBS: list[tuple[str, str, Any]] = [
    ("patient.age_years", "away", (0, 120, 46)),
    ("symptoms.back_pain_duration_months", "down", (0, 240)),
    ("symptoms.back_pain_nrs", "down", (0, 10)),
    ("symptoms.leg_pain_nrs", "up", (0, 10)),
    ("symptoms.odi", "down", (0, 100)),
    ("symptoms.rmdq", "down", (0, 24)),
    ("conservative_care.duration_months", "down", (0, 60)),
    ("imaging.scoliosis_cobb_degrees", "up", (0, 90)),
    ("imaging.mri_date", "older", None),
    ("history.opioid_mme_per_day", "up", (0, 400)),
    ("diagnostics.medial_branch_blocks.0.relief_percent", "up", (0, 100)),
    ("diagnostics.si_joint_blocks.0.relief_percent", "up", (0, 100)),
    ("imaging.levels.L4-L5.pfirrmann_grade", "away", (1, 5, 3)),
    ("imaging.levels.L4-L5.disc_height_loss_percent", "up", (0, 100)),
    ("imaging.levels.L4-L5.modic_type", "up", (0, 3)),
    ("imaging.levels.L4-L5.protrusion_mm", "up", (0, 20)),
    ("imaging.levels.L4-L5.spondylolisthesis_grade", "up", (0, 5)),
    ("imaging.levels.L4-L5.flexion_extension_translation_mm", "up", (0, 20)),
    ("imaging.levels.L4-L5.flexion_extension_angulation_degrees", "up", (0, 30)),
    ("psychology.phq9", "up", (0, 27)),
    ("imaging.levels.L4-L5.stenosis", "order", ["none", "mild", "moderate", "severe"]),
    (
        "imaging.levels.L4-L5.contour",
        "order",
        ["normal", "bulge", "protrusion", "extrusion", "sequestration"],
    ),
]
INTEGERS = {
    "age_years",
    "rmdq",
    "pfirrmann_grade",
    "modic_type",
    "spondylolisthesis_grade",
    "phq9",
}


def locate(case: dict[str, Any], path: str) -> tuple[Any, Any]:
    """The container and key at a dotted path (digits index lists)."""
    *parents, last = path.split(".")
    node: Any = case
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    return node, int(last) if last.isdigit() else last


def between(data: st.DataObject, key: str, low: float, high: float) -> float:
    if key in INTEGERS:
        return data.draw(st.integers(int(low), int(high)))
    return data.draw(st.floats(low, high, allow_nan=False))


def anywhere(data: st.DataObject, key: str, direction: str, spec: Any) -> Any:
    """Any allowed value for the knob."""
    if direction == "order":
        return data.draw(st.sampled_from(spec))
    if direction == "older":
        return f"{data.draw(st.integers(2024, 2026))}-{data.draw(st.integers(1, 9)):02d}-15"
    return between(data, key, spec[0], spec[1])


def worse(data: st.DataObject, key: str, direction: str, spec: Any, old: Any) -> Any:
    """A value at least as bad as `old`."""
    if direction == "order":
        return data.draw(st.sampled_from(spec[spec.index(old) :]))
    if direction == "older":
        return (
            date.fromisoformat(old) - timedelta(days=data.draw(st.integers(0, 800)))
        ).isoformat()
    low, high, *middle = spec
    up = direction == "up" or (direction == "away" and old >= middle[0])
    return between(data, key, old, high) if up else between(data, key, low, old)


@PROPERTY
@given(case=any_case(), fields=v2_fields(), protocol_id=st.sampled_from(IGNORING_V2_FIELDS))
def test_it_gives_the_same_v1_and_trial_decisions_whatever_the_v2_fields_hold(
    case: dict[str, Any], fields: dict[str, dict[str, Any]], protocol_id: str
) -> None:
    """Spec §6.1: version 1 (and the trial protocols) ignore the new fields entirely."""
    protocol = resolve_protocol(protocol_id)
    without = with_v2_fields(case, {key: {} for key in fields})

    changed = evaluate(parse_case(with_v2_fields(case, fields)), protocol)

    assert changed.to_dict() == evaluate(parse_case(without), protocol).to_dict()


def test_it_still_makes_the_v1_candidates_that_v2_refuses() -> None:
    """Spec §6 rows v1 allowed: moderate stenosis, grade 1 slip, 3.9 mm, 9.9°, onset 50."""
    case = example(
        **{
            "imaging.levels.L4-L5.stenosis": "moderate",
            "imaging.levels.L4-L5.spondylolisthesis_grade": 1,
            "imaging.levels.L4-L5.flexion_extension_translation_mm": 3.9,
            "imaging.levels.L4-L5.flexion_extension_angulation_degrees": 9.9,
            "psychology.phq9": 27,
            "psychology.phq9_date": "2026-09-01",
            "patient.pregnant": True,
            "red_flags.infection_risk": False,
        }
    )
    case["diagnostics"]["discography"][1].update(pain_onset_psi_above_opening=50, dallas_grade=0)

    v1 = evaluate(parse_case(case), resolve_protocol("annulus-default@1"))
    v2 = evaluate(parse_case(case), resolve_protocol("annulus-default@2"))

    assert (v1.outcome, v1.levels) == ("candidate", ("L4-L5",))
    assert v1.protocol.version == 1
    assert v2.outcome == "not_candidate"


VERSIONS = [1, 2]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("path", "direction", "spec"), KNOBS, ids=[k[0] for k in KNOBS])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_it_never_makes_a_candidate_by_making_a_threshold_value_worse(
    path: str, direction: str, spec: Any, version: int, data: st.DataObject
) -> None:
    case = data.draw(near_candidates())
    case.setdefault("diagnostics", {})["si_joint_blocks"] = [
        {"date": "2026-04-01", "relief_percent": 10}
    ]
    case["diagnostics"].setdefault("medial_branch_blocks", []).append(
        {"date": "2026-01-01", "levels": ["L4-L5"], "relief_percent": 10}
    )
    case["diagnostics"]["medial_branch_blocks"].sort(key=lambda block: block["date"], reverse=True)
    node, key = locate(case, path)
    node[key] = anywhere(data, str(key), direction, spec)
    if str(key) == "protrusion_mm":
        node["contour"] = "protrusion"
    protocol = load_protocol("annulus-default", version)
    if evaluate(parse_case(case), protocol).outcome != "not_candidate":
        return

    node[key] = worse(data, str(key), direction, spec, node[key])

    assert evaluate(parse_case(case), protocol).outcome == "not_candidate", (path, node[key])


def positive_levels(case: dict[str, Any], version: int) -> set[str]:
    """Spec §4.3's (§6.2's for version 2) positive discogram, computed independently."""
    found = set()
    for disc in (case.get("diagnostics") or {}).get("discography", []):
        onset = disc.get("pain_onset_psi_above_opening")
        intensity = disc.get("pain_intensity")
        if (
            disc.get("concordance") == "concordant"
            and intensity is not None
            and intensity >= 7
            and onset is not None
            and (onset <= 50 if version == 1 else onset < 50)
        ):
            found.add(disc["level"])
    return found


@PROPERTY
@given(
    case=st.one_of(cases(red_flags_false=True), near_candidates(), cases()),
    protocol_id=st.sampled_from(PROTOCOLS),
)
def test_it_decides_deterministically_and_lists_every_criterion_it_evaluated(
    case: dict[str, Any], protocol_id: str
) -> None:
    protocol = resolve_protocol(protocol_id)
    first = evaluate(parse_case(case), protocol)
    second = evaluate(parse_case(copy.deepcopy(case)), protocol)
    assert first.to_dict() == second.to_dict()

    trace = [(c.id, c.level) for c in first.criteria]
    red_flags = [(c.id, None) for c in protocol.red_flags]
    if first.outcome == "urgent_referral":
        assert trace == red_flags
        return
    levels = [lv for lv in LEVELS if any(c.level == lv for c in first.criteria)] or [None]
    expected = red_flags + [(c.id, None) for c in protocol.criteria]
    expected += [(c.id, lv) for lv in levels for c in protocol.level_criteria]
    assert trace == expected

    result = first.to_dict()
    assert first.to_json() == json.dumps(result, ensure_ascii=False, separators=(",", ":"))
    assert first.to_json_bytes() == first.to_json().encode()
    assert result["routes"] == sorted(set(result["routes"]))
    assert set(result["routes"]) <= set(ROUTES)
    found = {c.status for c in first.criteria}
    assert found <= set(STATUSES)
    assert all(c.explanation and c.source for c in first.criteria)
    if first.outcome == "candidate":
        assert found <= {"pass", "warning", "not_applicable"}
        assert result["routes"] == ["fibrin_injection"] and result["missing"] == []
        assert first.levels
        if protocol.id == "annulus-default":
            assert set(first.levels) == positive_levels(case, protocol.version)
    else:
        assert first.levels == ()
    if first.outcome == "not_candidate":
        assert "fail" in found and result["routes"]
    if first.outcome == "needs_more_information":
        assert "fail" not in found and "missing" in found
        assert result["missing"] and result["routes"] == []


@PROPERTY
@given(case=any_case())
def test_it_reads_back_a_serialized_case_unchanged(case: dict[str, Any]) -> None:
    parsed = parse_case(case)
    written = serialize_case(parsed)

    assert parse_case(written) == parsed
    assert serialize_case(parse_case(written)) == written
    assert (
        evaluate(parse_case(written), load_protocol("annulus-default")).to_dict()
        == evaluate(parsed, load_protocol("annulus-default")).to_dict()
    )
