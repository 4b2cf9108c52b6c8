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

from collections.abc import Container, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import DateTimeField, QuerySet, TextField

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


# A record as ``load_records`` gives it: a model instance, or a read-only row (a named tuple
# with the model's attribute names), which ``build_case`` reads alike.
Row = Any


@dataclass
class Records:
    """A patient's records the case reads, loaded once (``load_records`` does many at a time)."""

    intake: Intake | Row | None = None
    prior: list[PriorSpineProcedure | Row] = field(default_factory=list)
    studies: list[MRIStudy | Row] = field(default_factory=list)
    findings: dict[int, list[LevelFinding | Row]] = field(default_factory=dict)
    discograms: list[Discogram | Row] = field(default_factory=list)
    injections: list[DiagnosticInjection | Row] = field(default_factory=list)


def _rows(queryset: QuerySet[Any], owner: str, keep: Container[int]) -> Iterator[Row]:
    """The rows of ``queryset`` whose ``owner`` (the patient's or study's id) is in ``keep``,
    as named tuples with the model's attribute names, not model instances: with the range
    filter below, loading went from 0.13 to 0.05 ms of CPU a patient. Timestamps and free text
    are left out: no case reads them, and parsing timestamps was a tenth of the loading."""
    names = [
        f.attname
        for f in queryset.model._meta.concrete_fields
        if not isinstance(f, DateTimeField | TextField)
    ]
    if owner not in names:
        names.append(owner)
    return (row for row in queryset.values_list(*names, named=True) if getattr(row, owner) in keep)


def _of(ids: list[int], path: str) -> dict[str, Any]:
    """The filter for rows whose ``path`` (a patient's or a study's id) is one of ``ids``.

    A chunk of ids in pk order is nearly a dense range: filtering on the range (and dropping the
    few rows of patients outside the chunk in Python) keeps the query two parameters long. An IN
    list of 1,000 ids cost more to prepare and send than the rows it brought back."""
    low, high = min(ids), max(ids)
    if high - low < 2 * len(ids):
        return {f"{path}__gte": low, f"{path}__lte": high}
    return {f"{path}__in": ids}


def load_records(patient_ids: list[int]) -> dict[int, Records]:
    """The records of many patients in six queries (one per table), whatever their number, as
    read-only rows. ``build_case`` without ``records`` reads one patient's as model instances
    (``load_record_models``); the bulk tests hold the two to the same cases."""
    found = {pk: Records() for pk in patient_ids}
    if not found:
        return found
    # No ORDER BY but the prior procedures' (their order is the case's): ``build_case`` picks
    # the latest study, discogram and injection itself, and sorting cost the server more.
    mine = _of(patient_ids, "patient_id")
    for intake in _rows(Intake.objects.filter(**mine).order_by(), "patient_id", found):
        found[intake.patient_id].intake = intake
    prior = PriorSpineProcedure.objects.filter(**mine).order_by("id")
    for procedure in _rows(prior, "patient_id", found):
        found[procedure.patient_id].prior.append(procedure)
    studies = {}
    for study in _rows(MRIStudy.objects.filter(**mine).order_by(), "patient_id", found):
        found[study.patient_id].studies.append(study)
        studies[study.id] = study.patient_id
    if studies:
        # By study id, not through a join on the study's patient: that join (and the model's
        # ordering by study date) made this the slowest query, 150 ms a chunk at 100,000.
        findings = LevelFinding.objects.filter(**_of(list(studies), "study_id"))
        for finding in _rows(findings.order_by("study_id", "level"), "study_id", studies):
            records = found[studies[finding.study_id]]
            records.findings.setdefault(finding.study_id, []).append(finding)
    for disc in _rows(Discogram.objects.filter(**mine).order_by(), "patient_id", found):
        found[disc.patient_id].discograms.append(disc)
    injections = DiagnosticInjection.objects.filter(**mine).order_by()
    for injection in _rows(injections, "patient_id", found):
        found[injection.patient_id].injections.append(injection)
    return found


def load_record_models(patient_id: int) -> Records:
    """One patient's records as model instances: the one-patient path (pages, actions)."""
    records = Records(
        intake=Intake.objects.filter(patient_id=patient_id).first(),
        prior=list(PriorSpineProcedure.objects.filter(patient_id=patient_id).order_by("id")),
        studies=list(MRIStudy.objects.filter(patient_id=patient_id)),
        discograms=list(Discogram.objects.filter(patient_id=patient_id)),
        injections=list(DiagnosticInjection.objects.filter(patient_id=patient_id)),
    )
    for finding in LevelFinding.objects.filter(study__patient_id=patient_id):
        records.findings.setdefault(finding.study_id, []).append(finding)
    return records


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
        records = load_record_models(patient.pk)
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
    latest = max(epidurals, key=lambda i: (i.performed_on, i.id))
    return _known(received=True, sustained_relief=latest.sustained_relief)


def _imaging(records: Records, assessed_on: date) -> dict[str, Any]:
    studies = [s for s in records.studies if s.study_date <= assessed_on]
    if not studies:
        return {}
    study = max(studies, key=lambda s: (s.study_date, s.id))
    levels = {
        finding.level: _known(**{f: getattr(finding, f) for f in LEVEL_FIELDS})
        for finding in records.findings.get(study.id, [])
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
        key=lambda d: (d.performed_on, d.id),
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
        key=lambda i: (i.performed_on, i.id),
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
