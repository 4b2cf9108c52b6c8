"""A patient record for candidacy tests: the spec's example candidate, entered as staff would.

`candidate_record()` gives the complete record (intake, MRI, discography, a negative medial
branch block); keyword arguments leave parts out or change intake answers.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from annulus.accounts.models import Clinic
from annulus.candidacy.actions import clinic_today
from annulus.clinical.models import (
    BlockKind,
    DiagnosticInjection,
    Discogram,
    LevelFinding,
    MRIStudy,
)
from annulus.patients.models import RED_FLAG_FIELDS, Intake, IntakeStatus, Patient, Stage

INTAKE: dict[str, Any] = {
    "status": IntakeStatus.REVIEWED,
    "back_pain_duration_months": 14,
    "back_pain_nrs": 7,
    "leg_pain_nrs": 2,
    "leg_pain_below_knee": False,
    "radicular_signs": False,
    "conservative_care_months": 8,
    "exercise_or_physical_therapy": True,
    "epidural_steroid_received": True,
    "epidural_steroid_sustained_relief": False,
    "opioid_mme_per_day": 0,
    "bleeding_disorder": False,
    "fibrin_sealant_allergy": False,
    "odi": 42,
    **dict.fromkeys(RED_FLAG_FIELDS, False),
}
LEVEL: dict[str, Any] = {
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


def make_patient(
    clinic: Clinic,
    *,
    first: str = "Robin",
    last: str = "Testpatient",
    born: date | None = date(1982, 3, 14),
    stage: str = Stage.WORK_UP,
) -> Patient:
    return Patient.objects.create(
        clinic=clinic,
        first_name=first,
        last_name=last,
        date_of_birth=born,
        sex="female",
        veteran=False,
        stage=stage,
    )


def candidate_record(
    clinic: Clinic,
    *,
    imaging: bool = True,
    discography: bool = True,
    intake: bool = True,
    level: dict[str, Any] | None = None,
    **patient_or_intake: Any,
) -> Patient:
    """A patient whose record makes them a candidate at L4-L5 under annulus-default v1."""
    patient_fields = {k: patient_or_intake.pop(k) for k in ("first", "last", "born", "stage")
                      if k in patient_or_intake}  # fmt: skip
    patient = make_patient(clinic, **patient_fields)
    today = clinic_today(patient)
    if intake:
        Intake.objects.create(patient=patient, **{**INTAKE, **patient_or_intake})
    if imaging:
        study = MRIStudy.objects.create(
            patient=patient, study_date=today - timedelta(days=100), scoliosis_cobb_degrees=0
        )
        LevelFinding.objects.create(study=study, level="L4-L5", **{**LEVEL, **(level or {})})
    if discography:
        day = today - timedelta(days=30)
        Discogram.objects.create(
            patient=patient,
            performed_on=day,
            level="L3-L4",
            opening_pressure_psi=8,
            pain_intensity=0,
            concordance="none",
        )
        Discogram.objects.create(
            patient=patient,
            performed_on=day,
            level="L4-L5",
            opening_pressure_psi=9,
            pain_onset_psi_above_opening=12,
            pain_intensity=8,
            concordance="concordant",
            dallas_grade=3,
        )
    DiagnosticInjection.objects.create(
        patient=patient,
        kind=BlockKind.MEDIAL_BRANCH,
        performed_on=today - timedelta(days=150),
        levels=["L4-L5", "L5-S1"],
        relief_percent=20,
    )
    return patient
