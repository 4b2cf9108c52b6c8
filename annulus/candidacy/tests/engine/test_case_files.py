"""Every case file in protocols/<id>/cases/v<N>/ gives its expected decision under version N.

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

from .support import CASES_DIR, V2_CASES_DIR, decide, statuses

CASE_FILES = sorted(CASES_DIR.glob("*.json"))
V2_CASE_FILES = sorted(V2_CASES_DIR.glob("*.json"))
# Case files of every protocol: `<id>/cases/v<N>/x.json` is decided by version N of `<id>`.
ALL_CASE_FILES = sorted(PROTOCOLS_DIR.glob("*/cases/v*/*.json"))
EXPECTED_KEYS = {"outcome", "levels", "routes", "statuses"}
OPTIONAL_KEYS = {"missing", "missing_includes", "warnings", "absent"}


def _load(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


def test_it_ships_many_case_files() -> None:
    assert len(CASE_FILES) >= 100
    assert len(V2_CASE_FILES) >= 50
    assert set(CASE_FILES) | set(V2_CASE_FILES) <= set(ALL_CASE_FILES)


def _protocol_of(path: Path) -> str:
    """`protocols/annulus-default/cases/v2/x.json` → `annulus-default@2`."""
    version = path.parent.name.removeprefix("v")
    assert version.isdigit(), path
    return f"{path.parent.parent.parent.name}@{version}"


@pytest.mark.parametrize("path", ALL_CASE_FILES, ids=lambda p: f"{_protocol_of(p)}/{p.stem}")
def test_it_decides_each_case_file_as_expected(path: Path) -> None:
    doc = _load(path)
    assert set(doc) == {"description", "case", "expected"}
    expected = doc["expected"]
    assert EXPECTED_KEYS <= set(expected) <= EXPECTED_KEYS | OPTIONAL_KEYS
    assert doc["case"]["case_id"] == path.stem

    decision = decide(doc["case"], protocol=_protocol_of(path))
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


# The criteria version 2 added or changed (spec §6.2); the others are covered by the v1 files.
V2_CHANGED = {
    "RF-BILATERAL-SCIATICA",
    "RF-SEXUAL-DYSFUNCTION",
    "RF-NIGHT-PAIN",
    "RF-INFECTION-RISK",
    "P-PREGNANCY",
    "P-ANTICOAGULATION",
    "P-PSYCH",
    "P-COMPENSATION",
    "D-DISCOGRAPHY",
    "L-FISSURE",
    "L-ONSET",
    "L-STENOSIS",
    "L-SLIP",
    "L-INSTABILITY",
}


@pytest.mark.parametrize(("version", "files"), [(1, CASE_FILES), (2, V2_CASE_FILES)])
def test_it_has_case_files_for_every_status_each_criterion_can_take(
    version: int, files: list[Path]
) -> None:
    """Both sides of every rule: each criterion is expected to pass, fail, warn and be missing."""
    seen: dict[str, set[str]] = defaultdict(set)
    for path in files:
        for key, status in _load(path)["expected"]["statuses"].items():
            seen[key.split("@")[0]].add(status)
    protocol = load_protocol("annulus-default", version)
    # Spec §4.2/§4.4 "missing when —"; and age is a required field of the case file.
    never_missing = {"P-SIJ", "L-PRIOR", "P-AGE"}
    for criterion in (*protocol.red_flags, *protocol.criteria, *protocol.level_criteria):
        if version > 1 and criterion.id not in V2_CHANGED:
            continue
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
