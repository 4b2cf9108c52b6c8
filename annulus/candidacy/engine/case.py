"""The case file (spec §1): everything the engine needs about one patient at one moment.

A key that is absent or null means *unknown*. Types are strict: `"7"` is not a number and `7.0` is
not an integer. Anything invalid refuses the whole case with a `CaseError` naming each path.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .case_errors import describe_validation_error
from .errors import CaseError, CaseIssue
from .levels import Level

__all__ = [
    "CONCORDANCES",
    "CONTOURS",
    "PROCEDURE_TYPES",
    "RED_FLAGS",
    "RED_FLAGS_V1",
    "STENOSIS_GRADES",
    "Case",
    "ConservativeCare",
    "Diagnostics",
    "Discogram",
    "EpiduralSteroid",
    "History",
    "Imaging",
    "LevelFindings",
    "MedialBranchBlock",
    "Patient",
    "PriorProcedure",
    "Psychology",
    "RedFlags",
    "SiJointBlock",
    "Symptoms",
    "parse_case",
    "serialize_case",
]

IsoDate = date
"""A date; in a case file always written YYYY-MM-DD (pydantic's strict JSON date)."""

Sex = Literal["female", "male", "other", "unknown"]
Contour = Literal["normal", "bulge", "protrusion", "extrusion", "sequestration"]
Stenosis = Literal["none", "mild", "moderate", "severe"]
Concordance = Literal["concordant", "discordant", "none"]
ProcedureType = Literal["discectomy", "laminectomy", "fusion", "disc_replacement", "intradiscal"]
Side = Literal["left", "right", "bilateral"]

CONTOURS: tuple[str, ...] = ("normal", "bulge", "protrusion", "extrusion", "sequestration")
STENOSIS_GRADES: tuple[str, ...] = ("none", "mild", "moderate", "severe")
CONCORDANCES: tuple[str, ...] = ("concordant", "discordant", "none")
PROCEDURE_TYPES: tuple[str, ...] = (
    "discectomy",
    "laminectomy",
    "fusion",
    "disc_replacement",
    "intradiscal",
)


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class Patient(_Part):
    age_years: int = Field(ge=0, le=120)
    sex: Sex | None = None
    veteran: bool | None = None
    pregnant: bool | None = None


class Symptoms(_Part):
    back_pain_duration_months: float | None = Field(default=None, ge=0)
    back_pain_nrs: float | None = Field(default=None, ge=0, le=10)
    leg_pain_nrs: float | None = Field(default=None, ge=0, le=10)
    leg_pain_below_knee: bool | None = None
    radicular_signs: bool | None = None
    odi: float | None = Field(default=None, ge=0, le=100)
    rmdq: int | None = Field(default=None, ge=0, le=24)


class RedFlags(_Part):
    saddle_anesthesia: bool | None = None
    bladder_or_bowel_dysfunction: bool | None = None
    progressive_neurological_deficit: bool | None = None
    fever: bool | None = None
    immunosuppression: bool | None = None
    iv_drug_use: bool | None = None
    cancer_history: bool | None = None
    unexplained_weight_loss: bool | None = None
    recent_significant_trauma: bool | None = None
    # Spec §6.1: asked by protocol annulus-default v2 (version 1 ignores them).
    bilateral_sciatica: bool | None = None
    new_sexual_dysfunction: bool | None = None
    night_or_rest_pain: bool | None = None
    infection_risk: bool | None = None


RED_FLAGS: tuple[str, ...] = tuple(RedFlags.model_fields)
"""Every red flag a case can answer: the nine of spec §4.1, then the four of §6.2."""
RED_FLAGS_V1: tuple[str, ...] = RED_FLAGS[:9]


class EpiduralSteroid(_Part):
    received: bool | None = None
    sustained_relief: bool | None = None


class ConservativeCare(_Part):
    duration_months: float | None = Field(default=None, ge=0)
    exercise_or_physical_therapy: bool | None = None
    epidural_steroid: EpiduralSteroid | None = None


class PriorProcedure(_Part):
    level: Level
    type: ProcedureType
    year: int | None = Field(default=None, ge=1900)


class History(_Part):
    prior_spine_procedures: list[PriorProcedure] | None = None
    opioid_mme_per_day: float | None = Field(default=None, ge=0)
    bleeding_disorder: bool | None = None
    fibrin_sealant_allergy: bool | None = None
    anticoagulant_or_antiplatelet: bool | None = None
    compensation_or_litigation: bool | None = None


class Psychology(_Part):
    phq9: int | None = Field(default=None, ge=0, le=27)
    phq9_date: IsoDate | None = None


class LevelFindings(_Part):
    pfirrmann_grade: int | None = Field(default=None, ge=1, le=5)
    disc_height_loss_percent: float | None = Field(default=None, ge=0, le=100)
    high_intensity_zone: bool | None = None
    modic_type: int | None = Field(default=None, ge=0, le=3)
    contour: Contour | None = None
    protrusion_mm: float | None = Field(default=None, ge=0)
    stenosis: Stenosis | None = None
    spondylolisthesis_grade: int | None = Field(default=None, ge=0, le=5)
    spondylolysis: bool | None = None
    flexion_extension_translation_mm: float | None = Field(default=None, ge=0)
    flexion_extension_angulation_degrees: float | None = Field(default=None, ge=0)


class Imaging(_Part):
    mri_date: IsoDate | None = None
    scoliosis_cobb_degrees: float | None = Field(default=None, ge=0)
    levels: dict[Level, LevelFindings] | None = None


class Discogram(_Part):
    level: Level
    date: IsoDate | None = None
    opening_pressure_psi: float | None = Field(default=None, ge=0)
    pain_onset_psi_above_opening: float | None = Field(default=None, ge=0)
    pain_intensity: float | None = Field(default=None, ge=0, le=10)
    concordance: Concordance | None = None
    dallas_grade: int | None = Field(default=None, ge=0, le=5)
    epidural_extravasation: bool | None = None


class MedialBranchBlock(_Part):
    date: IsoDate
    levels: list[Level] = Field(min_length=1)
    relief_percent: float = Field(ge=0, le=100)


class SiJointBlock(_Part):
    date: IsoDate
    side: Side | None = None
    relief_percent: float = Field(ge=0, le=100)


class Diagnostics(_Part):
    discography: list[Discogram] | None = None
    medial_branch_blocks: list[MedialBranchBlock] | None = None
    facet_block_not_indicated: bool | None = None
    si_joint_blocks: list[SiJointBlock] | None = None


class Case(_Part):
    """One patient at one moment (spec §1). Build it with `parse_case`, not directly."""

    case_id: str = Field(min_length=1, max_length=200)
    assessed_on: IsoDate
    patient: Patient
    symptoms: Symptoms | None = None
    red_flags: RedFlags | None = None
    conservative_care: ConservativeCare | None = None
    history: History | None = None
    imaging: Imaging | None = None
    diagnostics: Diagnostics | None = None
    psychology: Psychology | None = None


def parse_case(data: dict[str, object] | str | bytes) -> Case:
    """Validate a case file (JSON text, or the dict `json.loads` gives) and return the `Case`.

    Raises `CaseError` listing every problem, each as `path: rule (got value)`: not JSON, wrong
    type, out of range, unknown key/level/enum value, a date after `assessed_on`, or a second
    discogram of the same level.
    """
    if not isinstance(data, str | bytes):
        # One path for every input: JSON, where pydantic reads dates strictly as YYYY-MM-DD.
        data = json.dumps(data, default=str)
    try:
        case = Case.model_validate_json(data)
    except ValidationError as exc:
        raise CaseError(
            [describe_validation_error(error, Case) for error in exc.errors()]
        ) from None
    issues = _cross_checks(case)
    if issues:
        raise CaseError(issues)
    return case


def serialize_case(case: Case) -> dict[str, object]:
    """The case as a case-file dict: unknowns are omitted, so it validates again unchanged."""
    return case.model_dump(mode="json", exclude_none=True)


def _cross_checks(case: Case) -> list[CaseIssue]:
    """Rules that involve two fields: no date after `assessed_on`; one discogram per disc.

    Runs for every case of a batch, so a path is written out only for a date that breaks the
    rule (the dates are still checked in the order they are reported).
    """
    limit = case.assessed_on
    late: list[tuple[str, date]] = []  # (path, date) of each date after assessed_on, in order
    imaging = case.imaging
    if imaging is not None:
        when = imaging.mri_date
        if when is not None and when > limit:
            late.append(("imaging.mri_date", when))
    psychology = case.psychology
    if psychology is not None:
        when = psychology.phq9_date
        if when is not None and when > limit:
            late.append(("psychology.phq9_date", when))
    issues: list[CaseIssue] = []
    diagnostics = case.diagnostics
    if diagnostics is not None:
        seen: dict[str, int] = {}
        for i, disc in enumerate(diagnostics.discography or ()):
            # The fields from the model's `__dict__`: one pydantic attribute read, not four.
            fields = disc.__dict__
            when, level = fields["date"], fields["level"]
            if when is not None and when > limit:
                late.append((f"diagnostics.discography[{i}].date", when))
            if level in seen:
                issues.append(
                    CaseIssue(
                        f"diagnostics.discography[{i}].level",
                        f"{level} already has a discogram in entry {seen[level]}"
                        " (one entry per disc stimulated)",
                    )
                )
            seen.setdefault(level, i)
        for i, mbb in enumerate(diagnostics.medial_branch_blocks or ()):
            if mbb.date > limit:
                late.append((f"diagnostics.medial_branch_blocks[{i}].date", mbb.date))
        for i, sij in enumerate(diagnostics.si_joint_blocks or ()):
            if sij.date > limit:
                late.append((f"diagnostics.si_joint_blocks[{i}].date", sij.date))
    for path, when in late:
        issues.append(
            CaseIssue(path, f"must not be after assessed_on {limit.isoformat()} (got {when})")
        )
    if case.history is not None:
        for i, proc in enumerate(case.history.prior_spine_procedures or ()):
            if proc.year is not None and proc.year > limit.year:
                issues.append(
                    CaseIssue(
                        f"history.prior_spine_procedures[{i}].year",
                        f"must not be after {limit.year}, the year of assessed_on"
                        f" (got {proc.year})",
                    )
                )
    return issues
