"""Hypothesis strategies for valid case files, biased toward the protocol's thresholds."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import strategies as st

from annulus.candidacy.engine import LEVELS
from annulus.candidacy.engine.case import RED_FLAGS, RED_FLAGS_V1

ASSESSED = date(2026, 10, 1)


def number(low: float, high: float, *edges: float) -> st.SearchStrategy[float]:
    """A number in [low, high], often exactly on a threshold."""
    return st.one_of(
        st.sampled_from([low, high, *edges]),
        st.floats(low, high, allow_nan=False, allow_infinity=False),
    )


def integer(low: int, high: int, *edges: int) -> st.SearchStrategy[int]:
    return st.one_of(st.sampled_from([low, high, *edges]), st.integers(low, high))


def maybe(strategy: st.SearchStrategy[Any], p_unknown: float = 0.1) -> st.SearchStrategy[Any]:
    """The value, or None (unknown) now and then."""
    return st.one_of(strategy, st.none()) if p_unknown else strategy


def section(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A case-file object; unknown (None) fields are left out, as the serializer would."""
    return st.fixed_dictionaries({k: maybe(v) for k, v in fields.items()}).map(
        lambda d: {k: v for k, v in d.items() if v is not None}
    )


def day_before(limit: date, days: int = 500) -> st.SearchStrategy[str]:
    return st.integers(0, days).map(lambda n: (limit - timedelta(days=n)).isoformat())


LEVEL = st.sampled_from(LEVELS)

FINDINGS = section(
    pfirrmann_grade=integer(1, 5, 2, 4),
    disc_height_loss_percent=number(0, 100, 33, 33.5),
    high_intensity_zone=st.booleans(),
    modic_type=integer(0, 3, 1, 2),
    contour=st.sampled_from(["normal", "bulge", "protrusion", "extrusion", "sequestration"]),
    protrusion_mm=number(0, 12, 5, 5.5),
    stenosis=st.sampled_from(["none", "mild", "moderate", "severe"]),
    spondylolisthesis_grade=integer(0, 5, 1, 2),
    spondylolysis=st.booleans(),
    flexion_extension_translation_mm=number(0, 10, 3.9, 4),
    flexion_extension_angulation_degrees=number(0, 20, 9.9, 10),
)


def discogram(level: str) -> st.SearchStrategy[dict[str, Any]]:
    return section(
        date=day_before(ASSESSED, 200),
        opening_pressure_psi=number(0, 30, 8),
        pain_onset_psi_above_opening=number(0, 80, 15, 16, 50, 51),
        pain_intensity=number(0, 10, 6, 7),
        concordance=st.sampled_from(["concordant", "concordant", "discordant", "none"]),
        dallas_grade=integer(0, 5),
        epidural_extravasation=st.booleans(),
    ).map(lambda d: {"level": level, **d})


DISCOGRAPHY = st.lists(LEVEL, unique=True, max_size=4).flatmap(
    lambda levels: st.tuples(*(discogram(lv) for lv in sorted(levels))).map(list)
)

BLOCK_RELIEF = number(0, 100, 49, 50, 74, 75)


@st.composite
def cases(draw: st.DrawFn, *, red_flags_false: bool = False) -> dict[str, Any]:
    """A valid case file (a dict). `red_flags_false` answers every flag with false."""
    flags: st.SearchStrategy[dict[str, Any]]
    if red_flags_false:
        flags = st.just(dict.fromkeys(RED_FLAGS, False))
    else:
        flags = section(**{flag: st.booleans() for flag in RED_FLAGS})
    case: dict[str, Any] = {
        "case_id": draw(st.text(min_size=1, max_size=12)),
        "assessed_on": ASSESSED.isoformat(),
        "patient": draw(
            section(
                sex=st.sampled_from(["female", "male", "other", "unknown"]),
                veteran=st.booleans(),
            ).map(lambda d: {"age_years": draw(integer(0, 120, 17, 18, 75, 76)), **d})
        ),
        "symptoms": draw(
            section(
                back_pain_duration_months=number(0, 240, 5.9, 6),
                back_pain_nrs=number(0, 10, 3.9, 4),
                leg_pain_nrs=number(0, 10, 0, 3.5),
                leg_pain_below_knee=st.booleans(),
                radicular_signs=st.booleans(),
                odi=number(0, 100, 29, 30),
                rmdq=integer(0, 24, 8, 9),
            )
        ),
        "red_flags": draw(flags),
        "conservative_care": draw(
            section(
                duration_months=number(0, 60, 2.9, 3),
                exercise_or_physical_therapy=st.booleans(),
                epidural_steroid=section(received=st.booleans(), sustained_relief=st.booleans()),
            )
        ),
        "history": draw(
            section(
                prior_spine_procedures=st.lists(
                    st.fixed_dictionaries(
                        {
                            "level": LEVEL,
                            "type": st.sampled_from(
                                [
                                    "discectomy",
                                    "laminectomy",
                                    "fusion",
                                    "disc_replacement",
                                    "intradiscal",
                                ]
                            ),
                        },
                        optional={"year": st.integers(1990, 2026)},
                    ),
                    max_size=2,
                ),
                opioid_mme_per_day=number(0, 300, 60, 61),
                bleeding_disorder=st.booleans(),
                fibrin_sealant_allergy=st.booleans(),
            )
        ),
        "imaging": draw(
            section(
                mri_date=day_before(ASSESSED),
                scoliosis_cobb_degrees=number(0, 60, 20, 20.5),
                levels=st.dictionaries(LEVEL, FINDINGS, max_size=5),
            )
        ),
        "diagnostics": draw(
            section(
                discography=DISCOGRAPHY,
                medial_branch_blocks=st.lists(
                    st.fixed_dictionaries(
                        {
                            "date": day_before(ASSESSED, 300),
                            "levels": st.lists(LEVEL, min_size=1, max_size=2, unique=True),
                            "relief_percent": BLOCK_RELIEF,
                        }
                    ),
                    max_size=2,
                ),
                facet_block_not_indicated=st.booleans(),
                si_joint_blocks=st.lists(
                    st.fixed_dictionaries(
                        {"date": day_before(ASSESSED, 300), "relief_percent": BLOCK_RELIEF},
                        optional={"side": st.sampled_from(["left", "right", "bilateral"])},
                    ),
                    max_size=2,
                ),
            )
        ),
    }
    extra = draw(v2_fields())
    for section_name, values in extra.items():
        if values:
            case[section_name] = {**case.get(section_name, {}), **values}
    return case


V2_FLAGS = tuple(flag for flag in RED_FLAGS if flag not in RED_FLAGS_V1)


@st.composite
def v2_fields(draw: st.DrawFn) -> dict[str, dict[str, Any]]:
    """Any valid values (or absence) of the spec §6.1 fields, by case section."""
    return {
        "red_flags": draw(section(**{flag: st.booleans() for flag in V2_FLAGS})),
        "patient": draw(section(pregnant=st.booleans())),
        "history": draw(
            section(
                anticoagulant_or_antiplatelet=st.booleans(),
                compensation_or_litigation=st.booleans(),
            )
        ),
        "psychology": draw(
            section(phq9=integer(0, 27, 14, 15, 19, 20), phq9_date=day_before(ASSESSED, 500))
        ),
    }


def with_v2_fields(case: dict[str, Any], fields: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """`case` with the §6.1 fields set to `fields`: any absent ones are removed from the case."""
    out = {key: dict(value) if isinstance(value, dict) else value for key, value in case.items()}
    removable = {
        "red_flags": V2_FLAGS,
        "patient": ("pregnant",),
        "history": ("anticoagulant_or_antiplatelet", "compensation_or_litigation"),
        "psychology": ("phq9", "phq9_date"),
    }
    for section_name, keys in removable.items():
        part = out.get(section_name)
        if isinstance(part, dict):
            for key in keys:
                part.pop(key, None)
        if fields[section_name]:
            out[section_name] = {**(part or {}), **fields[section_name]}
    return out


# Near the spec example: a candidate with a few values redrawn, so every outcome is common.
MUTATIONS: dict[str, st.SearchStrategy[Any]] = {
    "patient.age_years": integer(0, 120, 17, 18, 75, 76),
    "symptoms.back_pain_duration_months": number(0, 60, 5.9, 6),
    "symptoms.back_pain_nrs": number(0, 10, 3.9, 4),
    "symptoms.leg_pain_nrs": number(0, 10, 3.5, 3.6),
    "symptoms.odi": number(0, 100, 29, 30),
    "symptoms.rmdq": integer(0, 24, 8, 9),
    "symptoms.radicular_signs": st.booleans(),
    "conservative_care.duration_months": number(0, 24, 2.9, 3),
    "history.opioid_mme_per_day": number(0, 200, 60, 61),
    "history.bleeding_disorder": st.booleans(),
    "imaging.scoliosis_cobb_degrees": number(0, 40, 20, 20.5),
    "imaging.mri_date": day_before(ASSESSED, 500),
    "imaging.levels.L4-L5.pfirrmann_grade": integer(1, 5, 2, 4),
    "imaging.levels.L4-L5.disc_height_loss_percent": number(0, 100, 33, 33.5),
    "imaging.levels.L4-L5.modic_type": integer(0, 3),
    "imaging.levels.L4-L5.stenosis": st.sampled_from(["none", "mild", "moderate", "severe"]),
    "imaging.levels.L4-L5.spondylolisthesis_grade": integer(0, 5, 1),
    "imaging.levels.L4-L5.flexion_extension_translation_mm": number(0, 8, 3, 3.1, 3.9, 4),
    "imaging.levels.L4-L5.flexion_extension_angulation_degrees": number(0, 20, 4.9, 5, 9.9, 10),
    "patient.pregnant": st.booleans(),
    "history.anticoagulant_or_antiplatelet": st.booleans(),
    "psychology.phq9": integer(0, 27, 14, 15, 19, 20),
    "psychology.phq9_date": day_before(ASSESSED, 500),
    "diagnostics.medial_branch_blocks": st.lists(
        st.fixed_dictionaries(
            {
                "date": day_before(ASSESSED, 300),
                "levels": st.just(["L4-L5"]),
                "relief_percent": BLOCK_RELIEF,
            }
        ),
        max_size=2,
    ),
}


@st.composite
def near_candidates(draw: st.DrawFn) -> dict[str, Any]:
    """The spec example (with the §6.3 additions, which version 1 ignores) with one to three
    values redrawn (or made unknown)."""
    from .support import V2_ADDITIONS, example

    paths = draw(st.lists(st.sampled_from(sorted(MUTATIONS)), min_size=1, max_size=3, unique=True))
    required = {"patient.age_years"}
    changes = {
        path: draw(MUTATIONS[path] if path in required else maybe(MUTATIONS[path]))
        for path in paths
    }
    known = {path: value for path, value in changes.items() if value is not None}
    case = example(**{**V2_ADDITIONS, **known})
    for path, value in changes.items():
        if value is None:  # unknown: remove the key
            *parents, last = path.split(".")
            node = case
            for part in parents:
                node = node[part]
            node.pop(last, None)
    return case


def any_case() -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(cases(), near_candidates())
