"""Shared test material: the spec §5 example, and helpers to vary it."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from annulus.candidacy.engine import Decision, evaluate, parse_case, resolve_protocol

DEFAULT_CASES = Path(__file__).resolve().parents[2] / "protocols" / "annulus-default" / "cases"
CASES_DIR = DEFAULT_CASES / "v1"
"""Case files of annulus-default version 1 (spec §4)."""
V2_CASES_DIR = DEFAULT_CASES / "v2"
"""Case files of annulus-default version 2 (spec §6)."""

# Spec §5, copied verbatim: the contract's own example.
SPEC_EXAMPLE: dict[str, Any] = {
    "case_id": "example-1",
    "assessed_on": "2026-10-01",
    "patient": {"age_years": 44, "sex": "female", "veteran": False},
    "symptoms": {
        "back_pain_duration_months": 14,
        "back_pain_nrs": 7,
        "leg_pain_nrs": 2,
        "leg_pain_below_knee": False,
        "radicular_signs": False,
        "odi": 42,
    },
    "red_flags": {
        "saddle_anesthesia": False,
        "bladder_or_bowel_dysfunction": False,
        "progressive_neurological_deficit": False,
        "fever": False,
        "immunosuppression": False,
        "iv_drug_use": False,
        "cancer_history": False,
        "unexplained_weight_loss": False,
        "recent_significant_trauma": False,
    },
    "conservative_care": {
        "duration_months": 8,
        "exercise_or_physical_therapy": True,
        "epidural_steroid": {"received": True, "sustained_relief": False},
    },
    "history": {
        "prior_spine_procedures": [],
        "opioid_mme_per_day": 0,
        "bleeding_disorder": False,
        "fibrin_sealant_allergy": False,
    },
    "imaging": {
        "mri_date": "2026-06-10",
        "scoliosis_cobb_degrees": 0,
        "levels": {
            "L4-L5": {
                "pfirrmann_grade": 3,
                "disc_height_loss_percent": 15,
                "high_intensity_zone": True,
                "modic_type": 0,
                "contour": "bulge",
                "stenosis": "none",
                "spondylolisthesis_grade": 0,
                "spondylolysis": False,
                "flexion_extension_translation_mm": 1,
                "flexion_extension_angulation_degrees": 4,
            }
        },
    },
    "diagnostics": {
        "discography": [
            {
                "level": "L3-L4",
                "date": "2026-08-20",
                "opening_pressure_psi": 8,
                "pain_intensity": 0,
                "concordance": "none",
            },
            {
                "level": "L4-L5",
                "date": "2026-08-20",
                "opening_pressure_psi": 9,
                "pain_onset_psi_above_opening": 12,
                "pain_intensity": 8,
                "concordance": "concordant",
                "dallas_grade": 3,
            },
        ],
        "medial_branch_blocks": [
            {"date": "2026-05-02", "levels": ["L4-L5", "L5-S1"], "relief_percent": 20}
        ],
    },
}


# Spec §6.3: the additions that make the §5 example a candidate under version 2 too.
V2_ADDITIONS: dict[str, Any] = {
    "red_flags.bilateral_sciatica": False,
    "red_flags.new_sexual_dysfunction": False,
    "red_flags.night_or_rest_pain": False,
    "red_flags.infection_risk": False,
    "patient.pregnant": False,
    "history.anticoagulant_or_antiplatelet": False,
    "history.compensation_or_litigation": False,
    "psychology.phq9": 6,
    "psychology.phq9_date": "2026-08-01",
}


def example(**changes: Any) -> dict[str, Any]:
    """A deep copy of the spec example with dotted-path changes; `None` removes the key.

    `example(**{"symptoms.odi": None, "patient.age_years": 80})`
    """
    return _changed(SPEC_EXAMPLE, changes)


def example_v2(**changes: Any) -> dict[str, Any]:
    """Like `example`, starting from the spec §6.3 example (the §5 one with the v2 additions)."""
    return _changed(SPEC_EXAMPLE, {**V2_ADDITIONS, **changes})


def _changed(start: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    case = copy.deepcopy(start)
    for path, value in changes.items():
        *parents, last = path.split(".")
        node = case
        for part in parents:
            node = node.setdefault(part, {})
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    return case


def decide(case: dict[str, Any], protocol: str = "annulus-default@1") -> Decision:
    return evaluate(parse_case(case), resolve_protocol(protocol))


def statuses(decision: Decision) -> dict[str, str]:
    """`{"P-AGE": "pass", "L-HEIGHT@L4-L5": "fail"}`: level criteria are keyed with their level."""
    return {(f"{c.id}@{c.level}" if c.level else c.id): c.status for c in decision.criteria}


SPEC_EXAMPLE_V2: dict[str, Any] = example_v2()


# ------------------------------------------------------------------ small protocols for tests


def minimal() -> dict[str, Any]:
    """The smallest valid protocol: one red flag and the discography criterion."""
    return {
        "id": "demo",
        "version": 1,
        "title": "Demo",
        "summary": "A protocol for tests.",
        "discogram": {
            "source": "tests",
            "positive_when": {"fact": "disc.concordance", "equals": "concordant"},
            "negative_control_when": {"fact": "disc.concordance", "equals": "none"},
        },
        "red_flags": [
            criterion(
                "RF-FEVER",
                pass_when={"fact": "red_flags.fever", "is": False},
                route="urgent_medical_review",
            )
        ],
        "criteria": [
            criterion(
                "D-DISCOGRAPHY",
                pass_when={"fact": "discography.positive_level_found", "is": True},
                route="multidisciplinary_review",
            )
        ],
        "level_criteria": [],
    }


def criterion(cid: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": cid,
        "title": cid,
        "rule": f"The rule of {cid}.",
        "explanation": f"{cid} explained.",
        "source": "tests",
        **fields,
    }


def write(root: Path, data: dict[str, Any] | str, *, version: int = 1, pid: str = "demo") -> None:
    """Write `<root>/<pid>/v<version>.yaml` (a dict is dumped as YAML)."""
    folder = root / pid
    folder.mkdir(exist_ok=True)
    text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False)
    (folder / f"v{version}.yaml").write_text(text, encoding="utf-8")
