"""Build the research tables from plain records: pure, no Django, every column allow-listed.

`PatientRecord` carries whatever the database holds (names, emails and free text included: the
loader does not filter); the builder reads only the keys the dictionary allows and generalises
each one. That split lets the property tests feed canary identifiers straight in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import fmean
from typing import Any

from annulus.research.deid import SMALL_CELL, age_at, age_label, days_between, suppress, zip3
from annulus.research.dictionary import RED_FLAGS, TABLES

__all__ = ["PatientRecord", "Tables", "build_tables", "index_date"]

Row = dict[str, Any]
Tables = dict[str, list[Row]]


@dataclass
class PatientRecord:
    patient: Mapping[str, Any]
    first_visit: date | None = None
    intake: Mapping[str, Any] | None = None
    mri: Sequence[Mapping[str, Any]] = ()  # each with "levels": [finding, …]
    discograms: Sequence[Mapping[str, Any]] = ()
    injections: Sequence[Mapping[str, Any]] = ()
    procedures: Sequence[Mapping[str, Any]] = ()
    adverse_events: Sequence[Mapping[str, Any]] = ()
    referrals: Sequence[Mapping[str, Any]] = ()
    surveys: Sequence[Mapping[str, Any]] = ()  # instrument_id, score, time_point, on, arm
    evaluations: Sequence[Mapping[str, Any]] = ()
    arm: str = "none"
    extra: dict[str, Any] = field(default_factory=dict)  # never read: proves the allow-list


def _day(value: date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value


def index_date(record: PatientRecord) -> tuple[date, str]:
    """The first fibrin procedure, else the first visit, else the day the record was opened."""
    procedures = [d for p in record.procedures if (d := _day(p.get("performed_on")))]
    if procedures:
        return min(procedures), "procedure"
    if record.first_visit is not None:
        return record.first_visit, "first_visit"
    opened = _day(record.patient.get("created_at"))
    return (opened or date(1900, 1, 1)), "record_opened"


def _when(index: date, value: date | datetime | None) -> Row:
    day = _day(value)
    return {"days_from_index": days_between(index, day), "year": day.year if day else None}


def _pick(source: Mapping[str, Any], *names: str) -> Row:
    return {name: source.get(name) for name in names}


def _levels(values: Sequence[str] | None) -> str:
    return ";".join(values or [])


def build_tables(records: Sequence[PatientRecord], study_ids: Mapping[int, str]) -> Tables:
    """All tables; `study_ids` maps each patient's database id to its random study id."""
    tables: Tables = {name: [] for name in TABLES}
    for record in records:
        sid = study_ids[record.patient["id"]]
        index, kind = index_date(record)
        _patient_row(tables, record, sid, index, kind)
        if record.intake is not None:
            tables["baseline"].append(
                {
                    "study_id": sid,
                    **_when(index, record.intake.get("submitted_at")),
                    **_pick(
                        record.intake,
                        "back_pain_duration_months",
                        "back_pain_nrs",
                        "leg_pain_nrs",
                        "leg_pain_below_knee",
                        "radicular_signs",
                        *RED_FLAGS,
                        "conservative_care_months",
                        "exercise_or_physical_therapy",
                        "epidural_steroid_received",
                        "epidural_steroid_sustained_relief",
                        "opioid_mme_per_day",
                        "bleeding_disorder",
                        "fibrin_sealant_allergy",
                        "odi",
                        "rmdq",
                    ),
                }
            )
        for study in record.mri:
            for finding in study.get("levels", ()):
                tables["imaging"].append(
                    {
                        "study_id": sid,
                        **_when(index, study.get("study_date")),
                        **_pick(
                            finding,
                            "level",
                            "pfirrmann_grade",
                            "disc_height_loss_percent",
                            "high_intensity_zone",
                            "modic_type",
                        ),
                        "contour": finding.get("contour") or None,
                        "protrusion_mm": finding.get("protrusion_mm"),
                        "stenosis": finding.get("stenosis") or None,
                        **_pick(finding, "spondylolisthesis_grade", "spondylolysis"),
                        "fe_translation_mm": finding.get("flexion_extension_translation_mm"),
                        "fe_angulation_degrees": finding.get(
                            "flexion_extension_angulation_degrees"
                        ),
                        "scoliosis_cobb_degrees": study.get("scoliosis_cobb_degrees"),
                    }
                )
        for d in record.discograms:
            tables["discography"].append(
                {
                    "study_id": sid,
                    **_when(index, d.get("performed_on")),
                    **_pick(
                        d,
                        "level",
                        "opening_pressure_psi",
                        "pain_onset_psi_above_opening",
                        "pain_intensity",
                        "concordance",
                        "dallas_grade",
                        "epidural_extravasation",
                    ),
                }
            )
        for inj in record.injections:
            tables["injections"].append(
                {
                    "study_id": sid,
                    **_when(index, inj.get("performed_on")),
                    "kind": inj.get("kind"),
                    "levels": _levels(inj.get("levels")),
                    "side": inj.get("side") or None,
                    **_pick(inj, "relief_percent", "sustained_relief"),
                }
            )
        for p in record.procedures:
            volumes = [float(v) for v in (p.get("volume_ml_per_level") or {}).values()]
            tables["procedures"].append(
                {
                    "study_id": sid,
                    **_when(index, p.get("performed_on")),
                    "levels": _levels(p.get("levels")),
                    "level_count": len(p.get("levels") or []),
                    "total_volume_ml": round(sum(volumes), 2) if volumes else None,
                    **_pick(p, "guidance", "sedation"),
                }
            )
        for ae in record.adverse_events:
            tables["adverse_events"].append(
                {
                    "study_id": sid,
                    **_when(index, ae.get("onset_on")),
                    **_pick(ae, "related", "serious", "discitis"),
                }
            )
        for ref in record.referrals:
            tables["referrals"].append(
                {
                    "study_id": sid,
                    **_when(index, ref.get("referred_on")),
                    "alternative": ref.get("alternative"),
                }
            )
        for s in record.surveys:
            tables["outcomes"].append(
                {
                    "study_id": sid,
                    **_when(index, s.get("on")),
                    "time_point": s.get("time_point"),
                    "instrument": s.get("instrument_id"),
                    "score": s.get("score"),
                }
            )
        for e in record.evaluations:
            tables["evaluations"].append(
                {
                    "study_id": sid,
                    **_when(index, e.get("assessed_on")),
                    **_pick(e, "protocol_id", "protocol_version", "outcome", "review"),
                }
            )
    tables["outcomes_summary"] = _summary(records, tables["outcomes"], study_ids)
    return tables


def _patient_row(tables: Tables, record: PatientRecord, sid: str, index: date, kind: str) -> None:
    birth = _day(record.patient.get("date_of_birth"))
    age = age_at(birth, index)
    label = age_label(age)
    tables["patients"].append(
        {
            "study_id": sid,
            "sex": record.patient.get("sex"),
            "age_at_index": label,
            "birth_year": birth.year if birth is not None and label != "90+" else None,
            "index_year": index.year,
            "index_kind": kind,
            "veteran": record.patient.get("veteran"),
            "stage": record.patient.get("stage"),
            "treatment_arm": record.arm,
            "zip3": zip3(record.patient.get("postal_code")),
        }
    )


def _summary(
    records: Sequence[PatientRecord], outcomes: list[Row], study_ids: Mapping[int, str]
) -> list[Row]:
    """Scored responses per arm, time point and instrument, small cells suppressed."""
    arm_of = {study_ids[r.patient["id"]]: r.arm for r in records}
    groups: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for row in outcomes:
        if row["score"] is None:
            continue
        key = (arm_of[row["study_id"]], str(row["time_point"]), str(row["instrument"]))
        groups[key].append(float(row["score"]))
    return [
        {
            "treatment_arm": arm,
            "time_point": point,
            "instrument": instrument,
            "responses": suppress(len(scores)),
            "mean_score": round(fmean(scores), 2) if len(scores) >= SMALL_CELL else None,
        }
        for (arm, point, instrument), scores in sorted(groups.items())
    ]
