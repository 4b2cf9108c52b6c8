"""Synthetic candidacy cases for bench/candidacy.py (and the engine's JSON tests).

`make_full_case` builds the full-size cases of issue 12's speed goal: every field present, three
discs stimulated, about 3 KB of JSON. `make_case` builds the varied, partly incomplete cases of
issue 3. Both are deterministic for a given `random.Random` seed.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from annulus.candidacy.engine import LEVELS

FLAGS = (
    "saddle_anesthesia",
    "bladder_or_bowel_dysfunction",
    "progressive_neurological_deficit",
    "fever",
    "immunosuppression",
    "iv_drug_use",
    "cancer_history",
    "unexplained_weight_loss",
    "recent_significant_trauma",
)


def make_case(rng: random.Random, number: int) -> dict[str, Any]:
    """One synthetic case. About 40 % are "clean" work-ups (mostly candidates); the rest mix
    every kind of failure, unknown values and red flags."""
    clean = rng.random() < 0.4
    unknown = 0.005 if clean else 0.07
    assessed = date(2026, 10, 1) - timedelta(days=rng.randrange(365))

    def choose(good: list[Any], bad: list[Any]) -> Any:
        return rng.choice(good if clean or rng.random() < 0.8 else bad)

    def pick(good: list[Any], bad: list[Any]) -> Any:
        """Like choose, but now and then unknown (left out of the case)."""
        return None if rng.random() < unknown else choose(good, bad)

    def day_before(low: int, high: int) -> str:
        return (assessed - timedelta(days=rng.randrange(low, high))).isoformat()

    positive = _positive_levels(rng, clean)
    stimulated = set(positive)
    for level in positive:
        stimulated.update(LEVELS[i] for i in _neighbours(level) if rng.random() < 0.8)
    if not clean:
        stimulated.update(rng.sample(LEVELS, rng.choice([0, 0, 1, 2])))
    imaged = set(positive) | set(rng.sample(LEVELS, rng.randint(0, 2)))
    blocks = rng.choice([0, 1, 1, 2])
    case: dict[str, Any] = {
        "case_id": f"bench-{number:06d}",
        "assessed_on": assessed.isoformat(),
        "patient": {
            "age_years": rng.choice(
                [25, 38, 44, 52, 61, 70, 75] if clean else [17, 30, 48, 66, 79]
            ),
            "sex": rng.choice(["female", "male", "other", "unknown"]),
            "veteran": rng.random() < 0.2,
        },
        "symptoms": {
            "back_pain_duration_months": pick([6, 9, 14, 30, 60], [3, 5]),
            "back_pain_nrs": pick([5, 6, 7, 8, 9], [2, 3]),
            "leg_pain_nrs": pick([0, 1, 2], [4.5, 6]),
            "leg_pain_below_knee": pick([False], [True]),
            "radicular_signs": pick([False], [True]),
            "odi": pick([30, 36, 44, 58], [18, 28]),
            "rmdq": pick([9, 12, 16], [5, 8]) if rng.random() < 0.6 else None,
        },
        "red_flags": {flag: pick([False], [False] * 12 + [True]) for flag in FLAGS},
        "conservative_care": {
            "duration_months": pick([3, 6, 12], [1, 2]),
            "exercise_or_physical_therapy": pick([True], [False]),
            "epidural_steroid": {
                "received": pick([True, False], [True]),
                "sustained_relief": pick([False], [True]),
            },
        },
        "history": {
            "prior_spine_procedures": []
            if clean
            else [
                {
                    "level": rng.choice(LEVELS),
                    "type": rng.choice(
                        ["discectomy", "laminectomy", "fusion", "disc_replacement", "intradiscal"]
                    ),
                    "year": assessed.year - rng.randrange(15),
                }
                for _ in range(rng.choice([0, 0, 0, 1, 2]))
            ],
            "opioid_mme_per_day": pick([0, 0, 20, 45], [90, 120]),
            "bleeding_disorder": pick([False], [True]),
            "fibrin_sealant_allergy": pick([False], [True]),
        },
        "imaging": {
            "mri_date": pick([day_before(0, 300)], [day_before(366, 500)]),
            "scoliosis_cobb_degrees": pick([0, 0, 5, 12], [25]),
            "levels": {level: _findings(pick) for level in sorted(imaged)},
        },
        "diagnostics": {
            "discography": [
                _discogram(rng, level, level in positive, clean, day_before(10, 200))
                for level in sorted(stimulated)
            ],
            "medial_branch_blocks": [
                {
                    "date": day_before(30, 300),
                    "levels": rng.sample(LEVELS, 2),
                    "relief_percent": choose([10, 20, 40], [60, 90]),
                }
                for _ in range(blocks)
            ],
            "facet_block_not_indicated": True if blocks == 0 else pick([False], [True]),
            "si_joint_blocks": [
                {"date": day_before(30, 300), "relief_percent": choose([10, 30], [80])}
                for _ in range(rng.choice([0, 0, 0, 1]))
            ],
        },
    }
    return _drop_none(case)


FLAGS_V2 = (
    *FLAGS,
    "bilateral_sciatica",
    "new_sexual_dysfunction",
    "night_or_rest_pain",
    "infection_risk",
)


def make_full_case(rng: random.Random, number: int) -> dict[str, Any]:
    """One full-size case (issue 12 "Speed"): every field of spec §1 and §6.1 present, three
    discs stimulated (a positive level and its two neighbours), about 3 KB of JSON. Half are
    clean work-ups; the rest have now and then a value that fails a criterion."""
    assessed = date(2026, 10, 1) - timedelta(days=rng.randrange(365))

    def before(lo: int, hi: int) -> str:
        return (assessed - timedelta(days=rng.randrange(lo, hi))).isoformat()

    good = rng.random() < 0.5

    def c(g: list[Any], b: list[Any]) -> Any:
        return rng.choice(g if good or rng.random() < 0.85 else b)

    centre = rng.randrange(1, 4)
    stimulated = LEVELS[centre - 1 : centre + 2]
    sex = rng.choice(["female", "male", "other", "unknown"])
    discs = []
    for i, level in enumerate(stimulated):
        positive = i == 1
        discs.append(
            {
                "level": level,
                "date": before(10, 200),
                "opening_pressure_psi": rng.choice([5, 8, 10, 14]),
                "pain_onset_psi_above_opening": c([8, 12, 14, 30], [50, 60])
                if positive
                else rng.choice([18, 25, 40]),
                "pain_intensity": c([7, 8, 9], [5, 6]) if positive else rng.choice([2, 3, 4]),
                "concordance": "concordant" if positive else c(["discordant"], ["concordant"]),
                "dallas_grade": c([3, 4, 5], [0, 1, 2]) if positive else rng.choice([0, 1, 2]),
                "epidural_extravasation": rng.random() < 0.05,
            }
        )
    levels = {}
    for level in stimulated:
        contour = c(["normal", "bulge", "protrusion"], ["extrusion", "sequestration"])
        levels[level] = {
            "pfirrmann_grade": c([2, 3, 4], [1, 5]),
            "disc_height_loss_percent": c([5, 15, 25, 33], [40, 55]),
            "high_intensity_zone": rng.random() < 0.5,
            "modic_type": c([0, 0, 1, 2], [3]),
            "contour": contour,
            "protrusion_mm": c([0, 2, 4], [6, 8]),
            "stenosis": c(["none", "mild"], ["moderate", "severe"]),
            "spondylolisthesis_grade": c([0], [1, 2]),
            "spondylolysis": c([False], [True]),
            "flexion_extension_translation_mm": c([0.5, 1, 2, 3], [3.5, 5]),
            "flexion_extension_angulation_degrees": c([1, 2.5, 4], [5, 9]),
        }
    return {
        "case_id": f"full-{number:06d}",
        "assessed_on": assessed.isoformat(),
        "patient": {
            "age_years": c([25, 38, 44, 52, 61, 70], [17, 79]),
            "sex": sex,
            "veteran": rng.random() < 0.2,
            "pregnant": False if sex == "male" else c([False], [True]),
        },
        "symptoms": {
            "back_pain_duration_months": c([6, 9, 14, 30], [3, 5]),
            "back_pain_nrs": c([5, 6, 7, 8], [2, 3]),
            "leg_pain_nrs": c([0, 1, 2], [5, 6]),
            "leg_pain_below_knee": c([False], [True]),
            "radicular_signs": c([False], [True]),
            "odi": c([30, 36, 44, 58], [18, 28]),
            "rmdq": c([9, 12, 16], [5, 8]),
        },
        "red_flags": {flag: c([False], [False] * 20 + [True]) for flag in FLAGS_V2},
        "conservative_care": {
            "duration_months": c([3, 6, 12], [1, 2]),
            "exercise_or_physical_therapy": c([True], [False]),
            "epidural_steroid": {
                "received": rng.random() < 0.6,
                "sustained_relief": c([False], [True]),
            },
        },
        "history": {
            "prior_spine_procedures": [
                {
                    "level": rng.choice(LEVELS),
                    "type": c(
                        ["discectomy", "laminectomy"], ["fusion", "disc_replacement", "intradiscal"]
                    ),
                    "year": assessed.year - rng.randrange(1, 15),
                }
            ],
            "opioid_mme_per_day": c([0, 20, 45], [90, 120]),
            "bleeding_disorder": c([False], [True]),
            "fibrin_sealant_allergy": c([False], [True]),
            "anticoagulant_or_antiplatelet": c([False, True], [True]),
            "compensation_or_litigation": c([False], [True]),
        },
        "imaging": {
            "mri_date": c([before(0, 300)], [before(366, 500)]),
            "scoliosis_cobb_degrees": c([0, 5, 12], [25]),
            "levels": levels,
        },
        "diagnostics": {
            "discography": discs,
            "medial_branch_blocks": [
                {
                    "date": before(30, 300),
                    "levels": rng.sample(LEVELS, 2),
                    "relief_percent": c([10, 20, 40], [60, 90]),
                }
            ],
            "facet_block_not_indicated": False,
            "si_joint_blocks": [
                {
                    "date": before(30, 300),
                    "side": rng.choice(["left", "right", "bilateral"]),
                    "relief_percent": c([10, 30], [80]),
                }
            ],
        },
        "psychology": {
            "phq9": c([2, 6, 11, 16], [20, 24]),
            "phq9_date": c([before(0, 300)], [before(366, 400)]),
        },
    }


def _neighbours(level: str) -> list[int]:
    i = LEVELS.index(level)
    return [j for j in (i - 1, i + 1) if 0 <= j < len(LEVELS)]


def _positive_levels(rng: random.Random, clean: bool) -> list[str]:
    if clean or rng.random() < 0.6:
        start = rng.randrange(len(LEVELS) - 1)
        return list(LEVELS[start : start + rng.choice([1, 1, 1, 2])])
    return rng.sample(LEVELS, rng.choice([0, 0, 2, 3]))


def _findings(pick: Callable[[list[Any], list[Any]], Any]) -> dict[str, Any]:
    contour = pick(["normal", "bulge", "bulge", "protrusion"], ["extrusion", "sequestration"])
    return {
        "pfirrmann_grade": pick([2, 3, 3, 4], [1, 5]),
        "disc_height_loss_percent": pick([5, 15, 25, 33], [40, 55]),
        "high_intensity_zone": pick([True, False], [True]),
        "modic_type": pick([0, 0, 0, 1, 2], [3]),
        "contour": contour,
        "protrusion_mm": pick([2, 4, 5], [6, 8]) if contour == "protrusion" else None,
        "stenosis": pick(["none", "mild", "moderate"], ["severe"]),
        "spondylolisthesis_grade": pick([0, 0, 0, 1], [2]),
        "spondylolysis": pick([False], [True]),
        "flexion_extension_translation_mm": pick([0.5, 1, 2, 3.5], [4, 5]),
        "flexion_extension_angulation_degrees": pick([2, 4, 8], [10, 12]),
    }


def _discogram(
    rng: random.Random, level: str, positive: bool, clean: bool, when: str
) -> dict[str, Any]:
    if positive:
        concordance = "concordant"
        intensity = rng.choice([7, 8, 9]) if clean or rng.random() < 0.8 else 6
        onset: float | None = rng.choice([8, 12, 20, 40]) if clean else rng.choice([12, 40, 60])
    else:
        concordance = rng.choice(["none", "none", "none", "discordant"])
        if not clean and rng.random() < 0.2:
            concordance = "concordant"
        intensity = 0 if concordance == "none" else rng.choice([3, 4, 5, 6])
        onset = None if concordance == "none" else rng.choice([10, 20, 30])
    disc: dict[str, Any] = {
        "level": level,
        "date": when,
        "opening_pressure_psi": rng.choice([5, 8, 10, 14]),
        "concordance": concordance,
        "pain_intensity": intensity,
        "pain_onset_psi_above_opening": onset,
        "dallas_grade": rng.choice([0, 1, 2, 3, 4]),
        "epidural_extravasation": rng.random() < 0.05,
    }
    return disc


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value
