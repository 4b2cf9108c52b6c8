"""Spec §5's example and the decision format of spec §3."""

from __future__ import annotations

import dataclasses
import hashlib
import json

import pytest

from annulus.candidacy.engine import (
    LEVELS,
    OUTCOMES,
    ROUTES,
    STATUSES,
    evaluate,
    load_protocol,
    parse_case,
)
from annulus.candidacy.engine.protocol import PROTOCOLS_DIR

from .support import SPEC_EXAMPLE, decide, example


def test_it_makes_the_spec_example_a_candidate_at_l4_l5() -> None:
    result = decide(SPEC_EXAMPLE).to_dict()

    assert result["outcome"] == "candidate"
    assert result["levels"] == ["L4-L5"]
    assert result["routes"] == ["fibrin_injection"]
    assert result["warnings"] == []
    assert result["missing"] == []


def test_it_writes_exactly_the_decision_shape_of_the_spec() -> None:
    result = decide(SPEC_EXAMPLE).to_dict()

    assert list(result) == [
        "case_id",
        "protocol",
        "outcome",
        "levels",
        "routes",
        "criteria",
        "missing",
        "warnings",
    ]
    assert result["case_id"] == "example-1"
    assert set(result["protocol"]) == {"id", "version", "sha256"}
    for criterion in result["criteria"]:
        assert list(criterion) == ["id", "level", "status", "explanation", "source"]
        assert criterion["status"] in STATUSES
        assert criterion["level"] is None or criterion["level"] in LEVELS
        assert criterion["explanation"] and criterion["source"]
    assert result["outcome"] in OUTCOMES
    assert set(result["routes"]) <= set(ROUTES)
    json.dumps(result)  # plain JSON types only


def test_it_records_the_protocol_id_version_and_file_hash() -> None:
    result = decide(SPEC_EXAMPLE).to_dict()

    path = PROTOCOLS_DIR / "annulus-default" / "v1.yaml"
    assert result["protocol"] == {
        "id": "annulus-default",
        "version": 1,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
    }


def test_it_explains_with_the_numbers_used() -> None:
    criteria = {c["id"]: c for c in decide(SPEC_EXAMPLE).to_dict()["criteria"]}

    assert criteria["P-DURATION"] == {
        "id": "P-DURATION",
        "level": None,
        "status": "pass",
        "explanation": "Back pain for 14 months (needs at least 6).",
        "source": "NCT00693784; NCT01011816",
    }
    assert "44" in criteria["P-AGE"]["explanation"]
    assert "7/10" in criteria["P-PAIN"]["explanation"]
    assert "42%" in criteria["P-DISABILITY"]["explanation"]
    assert "113 days" in criteria["P-MRI"]["explanation"]
    assert "20%" in criteria["P-FACET"]["explanation"]
    assert "8/10 at 12 psi" in criteria["D-DISCOGRAPHY"]["explanation"]


def test_it_gives_the_same_decision_for_json_text_bytes_and_a_dict() -> None:
    protocol = load_protocol("annulus-default")
    text = json.dumps(SPEC_EXAMPLE)

    decisions = [
        evaluate(parse_case(data), protocol).to_dict()
        for data in (SPEC_EXAMPLE, text, text.encode())
    ]
    assert decisions[0] == decisions[1] == decisions[2]


def test_it_writes_compact_json_equal_to_the_decision_dict(monkeypatch: pytest.MonkeyPatch) -> None:
    from annulus.candidacy.engine import decision as decision_module

    monkeypatch.setattr(decision_module, "_MEMO_SIZE", 3)  # forget often, to check both paths
    monkeypatch.setattr(decision_module, "_CRITERION_JSON", {})  # whatever ran before
    monkeypatch.setattr(decision_module, "_CRITERION_BYTES", {})
    monkeypatch.setattr(decision_module, "_AROUND_JSON", {})
    monkeypatch.setattr(decision_module, "_AROUND_BYTES", {})
    monkeypatch.setattr(decision_module, "_PROTOCOL_JSON", {})
    for case in (
        SPEC_EXAMPLE,
        example(**{"red_flags.fever": True}),
        example(**{"symptoms.odi": None}),
    ):
        decision = decide(case)
        for _ in range(2):
            expected = json.dumps(decision.to_dict(), ensure_ascii=False, separators=(",", ":"))
            assert decision.to_json_bytes() == expected.encode()  # first: its own protocol JSON
            assert decision.to_json() == expected


def test_a_decision_without_criterion_lines_is_still_its_json() -> None:
    decision = dataclasses.replace(decide(SPEC_EXAMPLE), criteria=())
    expected = json.dumps(decision.to_dict(), ensure_ascii=False, separators=(",", ":"))
    assert decision.to_json_bytes() == expected.encode()
    assert decision.to_json() == expected


def test_it_renders_the_same_explanations_when_it_forgets_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from annulus.candidacy.engine.templates import Template

    monkeypatch.setattr(Template, "MEMO_SIZE", 1)
    for age in (30, 31, 30, 32):
        criteria = decide(example(**{"patient.age_years": age})).criteria
        age_line = next(c for c in criteria if c.id == "P-AGE")
        assert age_line.explanation == f"Age {age} (needs 18 to 75)."
        assert age_line.to_dict() == {
            "id": "P-AGE",
            "level": None,
            "status": "pass",
            "explanation": f"Age {age} (needs 18 to 75).",
            "source": "NCT00693784 (18-75); NCT01011816 (18 or over)",
        }
