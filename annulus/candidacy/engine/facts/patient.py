"""Facts about the patient: symptoms, red flags, conservative care, history and imaging."""

from __future__ import annotations

from collections.abc import Callable

from ..case import RED_FLAGS
from ..context import Context, Kind, Scope, Value
from .registry import NRS, PERCENT, add, in_section

__all__: list[str] = []

# ---------------------------------------------------------------- patient and symptoms (case)

add(
    "patient.age_years",
    Scope.CASE,
    Kind.NUMBER,
    "Age in whole years.",
    in_section("patient", "age_years"),
    "Age",
)
add(
    "patient.sex",
    Scope.CASE,
    Kind.CHOICE,
    "female, male, other or unknown.",
    in_section("patient", "sex"),
    "Sex",
    choices=("female", "male", "other", "unknown"),
)
add(
    "patient.veteran",
    Scope.CASE,
    Kind.BOOLEAN,
    "Whether the patient is a veteran.",
    in_section("patient", "veteran"),
    "Whether the patient is a veteran",
)
add(
    "symptoms.back_pain_duration_months",
    Scope.CASE,
    Kind.NUMBER,
    "How long the low back pain has lasted, in months.",
    in_section("symptoms", "back_pain_duration_months"),
    "How long the back pain has lasted (months)",
    unit="{} months",
    unit_one="{} month",
)
add(
    "symptoms.back_pain_nrs",
    Scope.CASE,
    Kind.NUMBER,
    "Average low back pain over the past 7 days, 0-10.",
    in_section("symptoms", "back_pain_nrs"),
    "Average low back pain over the past 7 days (0-10)",
    unit=NRS,
)
add(
    "symptoms.leg_pain_nrs",
    Scope.CASE,
    Kind.NUMBER,
    "Average pain in the worse leg over the past 7 days, 0-10.",
    in_section("symptoms", "leg_pain_nrs"),
    "Average leg pain over the past 7 days, worse leg (0-10)",
    unit=NRS,
)
add(
    "symptoms.leg_pain_below_knee",
    Scope.CASE,
    Kind.BOOLEAN,
    "Whether the leg pain goes below the knee.",
    in_section("symptoms", "leg_pain_below_knee"),
    "Whether the leg pain goes below the knee",
)
add(
    "symptoms.radicular_signs",
    Scope.CASE,
    Kind.BOOLEAN,
    "Radiculopathy on examination (dermatomal deficit, reflex loss, positive straight-leg raise).",
    in_section("symptoms", "radicular_signs"),
    "Examination for radicular signs",
)
add(
    "symptoms.odi",
    Scope.CASE,
    Kind.NUMBER,
    "Oswestry Disability Index v2.1a, percent.",
    in_section("symptoms", "odi"),
    "Oswestry Disability Index (ODI)",
    unit=PERCENT,
)
add(
    "symptoms.rmdq",
    Scope.CASE,
    Kind.NUMBER,
    "Roland-Morris Disability Questionnaire, 0-24.",
    in_section("symptoms", "rmdq"),
    "Roland-Morris Disability Questionnaire (RMDQ)",
    unit="{}/24",
)

# ---------------------------------------------------------------- red flags (case)

_FLAG_NAMES = {"iv_drug_use": "IV drug use"}
for _flag in RED_FLAGS:
    _label = _FLAG_NAMES.get(_flag, _flag.replace("_", " "))
    add(
        f"red_flags.{_flag}",
        Scope.CASE,
        Kind.BOOLEAN,
        f"Red-flag screen: {_label}.",
        in_section("red_flags", _flag),
        f"Answer the red-flag screen: {_label}",
    )

# ---------------------------------------------------------------- conservative care (case)

add(
    "conservative_care.duration_months",
    Scope.CASE,
    Kind.NUMBER,
    "Months of structured non-operative care tried.",
    in_section("conservative_care", "duration_months"),
    "How long conservative care was tried (months)",
    unit="{} months",
    unit_one="{} month",
)
add(
    "conservative_care.exercise_or_physical_therapy",
    Scope.CASE,
    Kind.BOOLEAN,
    "Whether that care included exercise or physical therapy.",
    in_section("conservative_care", "exercise_or_physical_therapy"),
    "Whether conservative care included exercise or physical therapy",
)


def _steroid(field: str) -> Callable[[Context], Value]:
    def get(ctx: Context) -> Value:
        care = ctx.case.conservative_care
        steroid = None if care is None else care.epidural_steroid
        return None if steroid is None else getattr(steroid, field)

    return get


add(
    "conservative_care.epidural_steroid_received",
    Scope.CASE,
    Kind.BOOLEAN,
    "Whether an epidural steroid injection was given.",
    _steroid("received"),
    "Whether an epidural steroid injection was given",
)
add(
    "conservative_care.epidural_steroid_sustained_relief",
    Scope.CASE,
    Kind.BOOLEAN,
    "Whether the epidural steroid gave relief lasting 3 months or more.",
    _steroid("sustained_relief"),
    "Whether the epidural steroid gave relief lasting 3 months or more",
)


def _steroid_summary(ctx: Context) -> Value:
    received = _steroid("received")(ctx)
    relief = _steroid("sustained_relief")(ctx)
    if received is False:
        return "none given"
    lead = "given" if received else "not recorded whether given"
    if relief is None:
        return f"{lead}; whether it gave lasting relief not recorded"
    return f"{lead}; {'relief lasting' if relief else 'no relief lasting'} 3 months or more"


add(
    "conservative_care.epidural_steroid_summary",
    Scope.CASE,
    Kind.TEXT,
    "Epidural steroid history in words, for explanations.",
    _steroid_summary,
    "Epidural steroid history",
)

# ---------------------------------------------------------------- history (case)

add(
    "history.opioid_mme_per_day",
    Scope.CASE,
    Kind.NUMBER,
    "Daily opioid dose in morphine milligram equivalents.",
    in_section("history", "opioid_mme_per_day"),
    "Daily opioid dose (MME/day)",
    unit="{} MME/day",
)
add(
    "history.bleeding_disorder",
    Scope.CASE,
    Kind.BOOLEAN,
    "A known bleeding disorder.",
    in_section("history", "bleeding_disorder"),
    "Whether the patient has a bleeding disorder",
)
add(
    "history.fibrin_sealant_allergy",
    Scope.CASE,
    Kind.BOOLEAN,
    "Hypersensitivity to fibrin sealant components, including aprotinin.",
    in_section("history", "fibrin_sealant_allergy"),
    "Whether the patient is allergic to fibrin sealant or aprotinin",
)

# ---------------------------------------------------------------- imaging (case)


def _mri_date(ctx: Context) -> Value:
    imaging = ctx.case.imaging
    when = None if imaging is None else imaging.mri_date
    return None if when is None else when.isoformat()


def _mri_age_days(ctx: Context) -> Value:
    imaging = ctx.case.imaging
    when = None if imaging is None else imaging.mri_date
    return None if when is None else (ctx.case.assessed_on - when).days


add(
    "imaging.mri_date",
    Scope.CASE,
    Kind.TEXT,
    "Date of the lumbar MRI (YYYY-MM-DD).",
    _mri_date,
    "Lumbar MRI",
)
add(
    "imaging.mri_age_days",
    Scope.CASE,
    Kind.NUMBER,
    "Days from the MRI to assessed_on.",
    _mri_age_days,
    "Lumbar MRI",
    unit="{} days",
    unit_one="{} day",
)
add(
    "imaging.scoliosis_cobb_degrees",
    Scope.CASE,
    Kind.NUMBER,
    "Scoliosis Cobb angle in degrees, 0 when there is none.",
    in_section("imaging", "scoliosis_cobb_degrees"),
    "Scoliosis Cobb angle (0 if none)",
    unit="{}°",
)
