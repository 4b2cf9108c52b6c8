"""Every case file in protocols/annulus-default/cases/ gives its expected decision.

A case file is `{"description", "case", "expected"}`; `expected` holds the outcome, levels and
routes, the statuses of the criteria the case is about (`"L-HEIGHT@L4-L5"` for level criteria),
and optionally the exact `missing` and `warnings` lists, items that `missing_includes`, and
criterion ids that must be `absent` from the trace.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from annulus.candidacy.engine import load_protocol
from annulus.candidacy.engine.protocol import PROTOCOLS_DIR

from .support import CASES_DIR, decide, statuses

CASE_FILES = sorted(CASES_DIR.glob("*.json"))
# Case files of every protocol: each is decided by the newest version of its folder's protocol.
ALL_CASE_FILES = sorted(PROTOCOLS_DIR.glob("*/cases/*.json"))
EXPECTED_KEYS = {"outcome", "levels", "routes", "statuses"}
OPTIONAL_KEYS = {"missing", "missing_includes", "warnings", "absent"}


def _load(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


def test_it_ships_many_case_files() -> None:
    assert len(CASE_FILES) >= 100
    assert set(CASE_FILES) <= set(ALL_CASE_FILES)


@pytest.mark.parametrize("path", ALL_CASE_FILES, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_it_decides_each_case_file_as_expected(path: Path) -> None:
    doc = _load(path)
    assert set(doc) == {"description", "case", "expected"}
    expected = doc["expected"]
    assert EXPECTED_KEYS <= set(expected) <= EXPECTED_KEYS | OPTIONAL_KEYS
    assert doc["case"]["case_id"] == path.stem

    decision = decide(doc["case"], protocol=path.parent.parent.name)
    result = decision.to_dict()

    assert result["outcome"] == expected["outcome"], doc["description"]
    assert result["levels"] == expected["levels"]
    assert result["routes"] == expected["routes"]
    found = statuses(decision)
    for key, status in expected["statuses"].items():
        assert found.get(key) == status, f"{key}: {doc['description']}"
    if "missing" in expected:
        assert result["missing"] == expected["missing"]
    for item in expected.get("missing_includes", []):
        assert item in result["missing"]
    if "warnings" in expected:
        assert result["warnings"] == expected["warnings"]
    ids = {c.id for c in decision.criteria}
    for absent in expected.get("absent", []):
        assert absent not in ids


def test_it_has_case_files_for_every_status_each_criterion_can_take() -> None:
    """Both sides of every rule: each criterion is expected to pass, fail, warn and be missing."""
    seen: dict[str, set[str]] = defaultdict(set)
    for path in CASE_FILES:
        for key, status in _load(path)["expected"]["statuses"].items():
            seen[key.split("@")[0]].add(status)
    protocol = load_protocol("annulus-default")
    # Spec §4.2/§4.4 "missing when —"; and age is a required field of the case file.
    never_missing = {"P-SIJ", "L-PRIOR", "P-AGE"}
    for criterion in (*protocol.red_flags, *protocol.criteria, *protocol.level_criteria):
        required = {"pass"}
        if any(check.route for check in criterion.checks):
            required.add("fail")
        if criterion.warn_when:
            required.add("warning")
        if criterion.checks and criterion.id not in never_missing:
            required.add("missing")
        assert required <= seen[criterion.id], (criterion.id, seen[criterion.id])


def test_it_has_a_case_file_for_every_outcome_and_route() -> None:
    outcomes: set[str] = set()
    routes: set[str] = set()
    for path in CASE_FILES:
        expected = _load(path)["expected"]
        outcomes.add(expected["outcome"])
        routes.update(expected["routes"])
    assert outcomes == {"urgent_referral", "not_candidate", "needs_more_information", "candidate"}
    assert routes == {
        "emergency_department",
        "urgent_medical_review",
        "fibrin_injection",
        "conservative_care",
        "radicular_pain_care",
        "facet_directed_care",
        "si_joint_care",
        "fusion_consult",
        "spine_surgery_consult",
        "multidisciplinary_review",
    }
