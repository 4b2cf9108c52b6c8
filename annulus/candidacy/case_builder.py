"""Build a spec case file (shared/spec/candidacy.md §1) from the clinical record.

The mapping, field by field (record → case):

| case path | from |
|---|---|
| `case_id` | `patient-<pk>` |
| `assessed_on` | the evaluation day (the clinic's local date) |
| `patient.age_years` | whole years from `Patient.date_of_birth` to `assessed_on` (required) |
| `patient.sex`, `patient.veteran` | `Patient.sex` (omitted when unknown), `Patient.veteran` |
| `patient.pregnant` | `Intake.pregnant` (v2) |
| `symptoms.*` | `Intake`: duration, back/leg NRS, below-knee, radicular signs, baseline ODI and RMDQ |
| `red_flags.<flag>` | `Intake.<flag>` (the engine's thirteen ids; the fragility-trauma answer feeds `recent_significant_trauma`) |
| `conservative_care.duration_months`, `.exercise_or_physical_therapy` | `Intake` |
| `conservative_care.epidural_steroid` | `Intake.epidural_steroid_*`; when unknown there, the most recent recorded epidural steroid injection (received = true, its sustained-relief answer) |
| `history.prior_spine_procedures[]` | `PriorSpineProcedure` rows |
| `history.opioid_mme_per_day`, `.bleeding_disorder`, `.fibrin_sealant_allergy`, `.anticoagulant_or_antiplatelet`, `.compensation_or_litigation` | `Intake` |
| `psychology.phq9`, `.phq9_date` | `Intake.phq9`, `Intake.phq9_date` (v2) |
| `imaging.*` | the latest `MRIStudy` on or before `assessed_on`: its date, Cobb angle, and one entry per `LevelFinding` |
| `diagnostics.discography[]` | the most recent `Discogram` per level on or before `assessed_on` |
| `diagnostics.medial_branch_blocks[]`, `.si_joint_blocks[]` | `DiagnosticInjection` rows of those kinds on or before `assessed_on` |
| `diagnostics.facet_block_not_indicated` | `Intake.facet_block_not_indicated` |

Empty fields are left out, which the spec reads as "unknown": the engine then lists them as
missing instead of guessing. Records dated after `assessed_on` are left out, as the spec requires.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from annulus.candidacy.engine.case import RED_FLAGS as ENGINE_RED_FLAGS
from annulus.clinical.models import (
    BlockKind,
    DiagnosticInjection,
    Discogram,
    LevelFinding,
    MRIStudy,
    PriorSpineProcedure,
)
from annulus.patients.models import RED_FLAG_FIELDS, Intake, Patient
from annulus.screening.red_flags import engine_red_flags

LEVEL_FIELDS = (
    "pfirrmann_grade",
    "disc_height_loss_percent",
    "high_intensity_zone",
    "modic_type",
    "contour",
    "protrusion_mm",
    "stenosis",
    "spondylolisthesis_grade",
    "spondylolysis",
    "flexion_extension_translation_mm",
    "flexion_extension_angulation_degrees",
)


class CaseNotReady(ValueError):
    """The record lacks something the case file cannot do without (the patient's age)."""


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _known(**values: Any) -> dict[str, Any]:
    """Drop unknowns (None and empty strings) so the case says 'unknown' by omission."""
    return {k: v for k, v in values.items() if v is not None and v != ""}


@dataclass
class Records:
    """A patient's records the case reads, loaded once (``load_records`` does many at a time)."""

    intake: Intake | None = None
    prior: list[PriorSpineProcedure] = field(default_factory=list)
    studies: list[MRIStudy] = field(default_factory=list)
    findings: dict[int, list[LevelFinding]] = field(default_factory=dict)
    discograms: list[Discogram] = field(default_factory=list)
    injections: list[DiagnosticInjection] = field(default_factory=list)


def load_records(patient_ids: list[int]) -> dict[int, Records]:
    """The records of many patients in six queries (one per table), whatever their number."""
    found = {pk: Records() for pk in patient_ids}
    for intake in Intake.objects.filter(patient_id__in=patient_ids):
        found[intake.patient_id].intake = intake
    for prior in PriorSpineProcedure.objects.filter(patient_id__in=patient_ids).order_by("id"):
        found[prior.patient_id].prior.append(prior)
    studies = {}
    for study in MRIStudy.objects.filter(patient_id__in=patient_ids):
        found[study.patient_id].studies.append(study)
        studies[study.pk] = study.patient_id
    for finding in LevelFinding.objects.filter(study_id__in=list(studies)):
        records = found[studies[finding.study_id]]
        records.findings.setdefault(finding.study_id, []).append(finding)
    for disc in Discogram.objects.filter(patient_id__in=patient_ids):
        found[disc.patient_id].discograms.append(disc)
    for injection in DiagnosticInjection.objects.filter(patient_id__in=patient_ids):
        found[injection.patient_id].injections.append(injection)
    return found


def _red_flags(intake: Intake) -> dict[str, Any]:
    """The intake's answers in the engine's own red-flag fields (both trauma questions feed one)."""
    answers = engine_red_flags({flag: getattr(intake, flag) for flag in RED_FLAG_FIELDS})
    return {k: v for k, v in answers.items() if k in ENGINE_RED_FLAGS}


def build_case(
    patient: Patient, assessed_on: date, records: Records | None = None
) -> dict[str, Any]:
    """The case file of ``patient`` on ``assessed_on``. Pass ``records`` (from
    ``load_records``) to build many cases without a query each."""
    if patient.date_of_birth is None:
        raise CaseNotReady("Add the patient's date of birth: the protocol needs their age.")
    if patient.date_of_birth > assessed_on:
        raise CaseNotReady("The date of birth is after the evaluation date.")
    if records is None:
        records = load_records([patient.pk])[patient.pk]
    intake = records.intake or Intake(patient=patient)
    case: dict[str, Any] = {
        "case_id": f"patient-{patient.pk}",
        "assessed_on": assessed_on.isoformat(),
        "patient": _known(
            age_years=age_on(patient.date_of_birth, assessed_on),
            sex=patient.sex if patient.sex != "unknown" else None,
            veteran=patient.veteran,
            pregnant=intake.pregnant,
        ),
        "symptoms": _known(
            back_pain_duration_months=intake.back_pain_duration_months,
            back_pain_nrs=intake.back_pain_nrs,
            leg_pain_nrs=intake.leg_pain_nrs,
            leg_pain_below_knee=intake.leg_pain_below_knee,
            radicular_signs=intake.radicular_signs,
            odi=intake.odi,
            rmdq=intake.rmdq,
        ),
        "red_flags": _known(**_red_flags(intake)),
        "conservative_care": _known(
            duration_months=intake.conservative_care_months,
            exercise_or_physical_therapy=intake.exercise_or_physical_therapy,
            epidural_steroid=_epidural(records, intake, assessed_on) or None,
        ),
        "history": _known(
            prior_spine_procedures=[
                _known(level=p.level, type=p.type, year=p.year) for p in records.prior
            ],
            opioid_mme_per_day=intake.opioid_mme_per_day,
            bleeding_disorder=intake.bleeding_disorder,
            fibrin_sealant_allergy=intake.fibrin_sealant_allergy,
            anticoagulant_or_antiplatelet=intake.anticoagulant_or_antiplatelet,
            compensation_or_litigation=intake.compensation_or_litigation,
        ),
        # Protocol v2 (spec §6.1): the PHQ-9 the clinician recorded with the date it was answered.
        "psychology": _known(
            phq9=intake.phq9,
            phq9_date=intake.phq9_date.isoformat() if intake.phq9_date else None,
        ),
        "imaging": _imaging(records, assessed_on),
        "diagnostics": _diagnostics(records, intake, assessed_on),
    }
    return {k: v for k, v in case.items() if v != {}}


def _epidural(records: Records, intake: Intake, assessed_on: date) -> dict[str, Any]:
    known = _known(
        received=intake.epidural_steroid_received,
        sustained_relief=intake.epidural_steroid_sustained_relief,
    )
    if known:
        return known
    epidurals = [
        i
        for i in records.injections
        if i.kind == BlockKind.EPIDURAL_STEROID and i.performed_on <= assessed_on
    ]
    if not epidurals:
        return {}
    latest = max(epidurals, key=lambda i: (i.performed_on, i.pk))
    return _known(received=True, sustained_relief=latest.sustained_relief)


def _imaging(records: Records, assessed_on: date) -> dict[str, Any]:
    studies = [s for s in records.studies if s.study_date <= assessed_on]
    if not studies:
        return {}
    study = max(studies, key=lambda s: (s.study_date, s.pk))
    levels = {
        finding.level: _known(**{f: getattr(finding, f) for f in LEVEL_FIELDS})
        for finding in records.findings.get(study.pk, [])
    }
    return _known(
        mri_date=study.study_date.isoformat(),
        scoliosis_cobb_degrees=study.scoliosis_cobb_degrees,
        levels={level: found for level, found in sorted(levels.items()) if found} or None,
    )


def _diagnostics(records: Records, intake: Intake, assessed_on: date) -> dict[str, Any]:
    latest_per_level: dict[str, Discogram] = {}
    for disc in sorted(
        (d for d in records.discograms if d.performed_on <= assessed_on),
        key=lambda d: (d.performed_on, d.pk),
    ):
        latest_per_level[disc.level] = disc  # later rows replace earlier ones
    discography = [
        _known(
            level=d.level,
            date=d.performed_on.isoformat(),
            opening_pressure_psi=d.opening_pressure_psi,
            pain_onset_psi_above_opening=d.pain_onset_psi_above_opening,
            pain_intensity=d.pain_intensity,
            concordance=d.concordance,
            dallas_grade=d.dallas_grade,
            epidural_extravasation=d.epidural_extravasation,
        )
        for _, d in sorted(latest_per_level.items())
    ]
    injections = sorted(
        (i for i in records.injections if i.performed_on <= assessed_on),
        key=lambda i: (i.performed_on, i.pk),
    )
    mbb = [
        {"date": i.performed_on.isoformat(), "levels": i.levels, "relief_percent": i.relief_percent}
        for i in injections
        if i.kind == BlockKind.MEDIAL_BRANCH and i.levels
    ]
    sij = [
        _known(
            date=i.performed_on.isoformat(), side=i.side or None, relief_percent=i.relief_percent
        )
        for i in injections
        if i.kind == BlockKind.SI_JOINT
    ]
    return _known(
        discography=discography or None,
        medial_branch_blocks=mbb or None,
        facet_block_not_indicated=intake.facet_block_not_indicated,
        si_joint_blocks=sij or None,
    )
