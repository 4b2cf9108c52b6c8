"""The allow-list: every table and column the research export may contain, with its meaning.

A column not listed here never leaves the database, whatever new fields the models grow
(Safe Harbor class R: "any other unique identifying number, characteristic or code"). Each column
names a kind, and the checker refuses any cell that does not fit its kind: that is what keeps
free text out even when someone types a name into a coded field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["LEVELS", "SLUG", "TABLES", "TIME_POINT", "Column", "dictionary_rows"]

LEVELS = frozenset({"L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1"})
SLUG = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
TIME_POINT = re.compile(r"^(baseline|day-\d{1,3}|week-\d{1,3}|month-\d{1,3}|year-\d{1,2})$")
STUDY_ID = re.compile(r"^S[0-9A-F]{10}$")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # study_id | int | float | bool | days | year | age | zip3 | code | levels | count
    description: str
    vocab: frozenset[str] | None = None
    pattern: re.Pattern[str] | None = None


def _c(name: str, kind: str, description: str, vocab: set[str] | None = None) -> Column:
    return Column(name, kind, description, frozenset(vocab) if vocab else None)


SID = _c("study_id", "study_id", "Random study id (no relation to any record number)")
DAYS = _c("days_from_index", "days", "Days from the index date (negative = before)")
YEAR = _c("year", "year", "Calendar year of the event (month and day withheld)")
BOOL = "bool"
ARMS = {"fibrin", "none", "conservative_care", "fusion", "radicular_pain_care",
        "facet_directed_care", "si_joint_care", "spine_surgery_consult",
        "multidisciplinary_review", "urgent_medical_review", "other"}  # fmt: skip

RED_FLAGS = (
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

TABLES: dict[str, tuple[Column, ...]] = {
    "patients": (
        SID,
        _c("sex", "code", "Sex as recorded", {"female", "male", "other", "unknown"}),
        _c("age_at_index", "age", 'Age in whole years at the index date; 90 or over is "90+"'),
        _c("birth_year", "year", "Year of birth; withheld (empty) when age at index is 90+"),
        _c("index_year", "year", "Year of the index date"),
        _c(
            "index_kind",
            "code",
            "What the index date is: the first fibrin procedure, else the first visit, "
            "else the date the record was opened",
            {"procedure", "first_visit", "record_opened"},
        ),
        _c("veteran", BOOL, "Veteran (empty = not asked)"),
        _c(
            "stage",
            "code",
            "Stage in the care path",
            {"new", "work-up", "decision", "treated", "follow-up", "closed"},
        ),
        _c("treatment_arm", "code", "Treatment followed up: fibrin, an alternative, or none", ARMS),
        _c("zip3", "zip3", 'First 3 ZIP digits; restricted prefixes "000"; empty when unknown'),
    ),
    "baseline": (
        SID,
        DAYS,
        YEAR,
        _c("back_pain_duration_months", "float", "Duration of low back pain (months)"),
        _c("back_pain_nrs", "float", "Back pain 0-10, past 7 days"),
        _c("leg_pain_nrs", "float", "Leg pain 0-10, past 7 days"),
        _c("leg_pain_below_knee", BOOL, "Leg pain below the knee"),
        _c("radicular_signs", BOOL, "Radicular signs on examination"),
        *(_c(flag, BOOL, f"Red flag: {flag.replace('_', ' ')}") for flag in RED_FLAGS),
        _c("conservative_care_months", "float", "Months of conservative care"),
        _c("exercise_or_physical_therapy", BOOL, "Exercise or physical therapy tried"),
        _c("epidural_steroid_received", BOOL, "Epidural steroid received"),
        _c("epidural_steroid_sustained_relief", BOOL, "Epidural relief lasted 3 months or more"),
        _c("opioid_mme_per_day", "float", "Opioids, morphine milligram equivalents per day"),
        _c("bleeding_disorder", BOOL, "Bleeding disorder"),
        _c("fibrin_sealant_allergy", BOOL, "Allergy to fibrin sealant or aprotinin"),
        _c("odi", "float", "Oswestry Disability Index at intake (%)"),
        _c("rmdq", "int", "Roland-Morris Disability Questionnaire at intake (0-24)"),
    ),
    "imaging": (
        SID,
        DAYS,
        YEAR,
        _c("level", "code", "Disc level", set(LEVELS)),
        _c("pfirrmann_grade", "int", "Pfirrmann grade 1-5"),
        _c("disc_height_loss_percent", "float", "Disc height loss (%)"),
        _c("high_intensity_zone", BOOL, "High-intensity zone"),
        _c("modic_type", "int", "Modic type 0-3"),
        _c(
            "contour",
            "code",
            "Disc contour",
            {"normal", "bulge", "protrusion", "extrusion", "sequestration"},
        ),
        _c("protrusion_mm", "float", "Protrusion depth (mm)"),
        _c("stenosis", "code", "Canal stenosis", {"none", "mild", "moderate", "severe"}),
        _c("spondylolisthesis_grade", "int", "Meyerding grade 0-5"),
        _c("spondylolysis", BOOL, "Spondylolysis"),
        _c("fe_translation_mm", "float", "Flexion-extension translation (mm)"),
        _c("fe_angulation_degrees", "float", "Flexion-extension angulation (degrees)"),
        _c("scoliosis_cobb_degrees", "float", "Scoliosis Cobb angle of the study (degrees)"),
    ),
    "discography": (
        SID,
        DAYS,
        YEAR,
        _c("level", "code", "Disc level", set(LEVELS)),
        _c("opening_pressure_psi", "float", "Opening pressure (psi)"),
        _c("pain_onset_psi_above_opening", "float", "Pain onset above opening pressure (psi)"),
        _c("pain_intensity", "float", "Provoked pain 0-10"),
        _c("concordance", "code", "Pain response", {"concordant", "discordant", "none"}),
        _c("dallas_grade", "int", "Modified Dallas grade 0-5"),
        _c("epidural_extravasation", BOOL, "Epidural extravasation"),
    ),
    "injections": (
        SID,
        DAYS,
        YEAR,
        _c(
            "kind",
            "code",
            "Diagnostic injection",
            {"medial_branch", "si_joint", "epidural_steroid"},
        ),
        _c("levels", "levels", "Levels, separated by ';'"),
        _c("side", "code", "Side", {"left", "right", "bilateral"}),
        _c("relief_percent", "int", "Relief (%)"),
        _c("sustained_relief", BOOL, "Relief lasted 3 months or more (epidural)"),
    ),
    "procedures": (
        SID,
        DAYS,
        YEAR,
        _c("levels", "levels", "Treated levels, separated by ';'"),
        _c("level_count", "int", "Number of levels treated"),
        _c("total_volume_ml", "float", "Total volume injected (mL)"),
        _c("guidance", "code", "Imaging guidance", {"fluoroscopy", "ct"}),
        _c("sedation", "code", "Sedation", {"none", "local", "minimal", "moderate"}),
    ),
    "adverse_events": (
        SID,
        DAYS,
        YEAR,
        _c("related", BOOL, "Related to the procedure"),
        _c("serious", BOOL, "Serious"),
        _c("discitis", BOOL, "Discitis"),
    ),
    "referrals": (
        SID,
        DAYS,
        YEAR,
        _c("alternative", "code", "Treatment referred to", ARMS - {"fibrin", "none"}),
    ),
    "outcomes": (
        SID,
        DAYS,
        YEAR,
        _c("time_point", "code", "Follow-up time point (baseline, week-N, month-N)"),
        _c("instrument", "code", "Instrument id (odi, rmdq, nrs-back, ...)"),
        _c("score", "float", "Score as the instrument's rule computes it"),
    ),
    "evaluations": (
        SID,
        DAYS,
        YEAR,
        _c("protocol_id", "code", "Candidacy protocol id"),
        _c("protocol_version", "int", "Candidacy protocol version"),
        _c("outcome", "code", "Protocol outcome"),
        _c("review", "code", "Clinician review", {"pending", "accepted", "overridden"}),
    ),
    "outcomes_summary": (
        _c("treatment_arm", "code", "Treatment arm", ARMS),
        _c("time_point", "code", "Follow-up time point"),
        _c("instrument", "code", "Instrument id"),
        _c("responses", "count", 'Number of scored responses; below 11 shown as "<11"'),
        _c("mean_score", "float", "Mean score; empty when fewer than 11 responses"),
    ),
}

# Code columns without a closed list: the shape they must have.
PATTERNS: dict[str, re.Pattern[str]] = {
    "time_point": TIME_POINT,
    "instrument": SLUG,
    "protocol_id": SLUG,
    "outcome": SLUG,
}


def dictionary_rows() -> list[dict[str, str]]:
    """The data dictionary file: one row per column of every table."""
    rows = []
    for table, columns in TABLES.items():
        for col in columns:
            allowed = ", ".join(sorted(col.vocab)) if col.vocab else ""
            if not allowed and col.name in PATTERNS:
                allowed = f"pattern {PATTERNS[col.name].pattern}"
            rows.append(
                {
                    "table": table,
                    "column": col.name,
                    "kind": col.kind,
                    "description": col.description,
                    "allowed_values": allowed,
                }
            )
    return rows
