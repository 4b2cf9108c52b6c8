"""A patient record for candidacy tests: the spec's example candidate, entered as staff would.

`candidate_record()` gives the complete record (intake, MRI, discography, a negative medial
branch block); keyword arguments leave parts out or change intake answers.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from annulus.accounts.models import Clinic
from annulus.candidacy.actions import clinic_today
from annulus.clinical.models import LevelFinding, MRIStudy
from annulus.patients.demo import (
    BASE_INTAKE,
    BASE_LEVEL,
    add_medial_branch_block,
    add_spec_discography,
)
from annulus.patients.models import Intake, Patient, Stage

# The demo's complete record (the spec's example candidate) is the tests' starting point too.
INTAKE: dict[str, Any] = BASE_INTAKE
LEVEL: dict[str, Any] = BASE_LEVEL


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
        add_spec_discography(patient, today - timedelta(days=30))
    add_medial_branch_block(patient, today - timedelta(days=150))
    return patient
