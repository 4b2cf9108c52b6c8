"""The synthetic registry's work-up rows: what ``rescreen`` and ``export-case --all`` read.

Split from ``synthetic`` so that module keeps to arms, treatment and follow-up. Same draws, same
order: ``seed_registry`` calls ``write_work_up`` where it always did.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING

from annulus.analytics.bulk_rows import Row, reserve_ids, write
from annulus.clinical.models import DiagnosticInjection, Discogram, LevelFinding, MRIStudy
from annulus.patients.models import Intake

if TYPE_CHECKING:
    from annulus.analytics.synthetic import Plan

LEVELS = ["L4-L5"]


def write_work_up(people: range, plans: list[Plan], rng: random.Random) -> None:
    """Intake, MRI study with two levels, discography with a control disc and a medial branch
    block for each patient, dated before their treatment day."""
    intakes: list[Row] = []
    studies: list[Row] = []
    discograms: list[Row] = []
    blocks: list[Row] = []
    first_study = reserve_ids(MRIStudy, len(people))
    for study, (patient, plan) in enumerate(zip(people, plans, strict=True), first_study):
        before = plan.treated - timedelta(days=rng.randint(30, 90))
        intakes.append(
            (
                patient, "reviewed",
                rng.randint(6, 120),  # back pain duration, months
                rng.randint(4, 10),  # back pain NRS
                rng.randint(0, 5),  # leg pain NRS
                False, False,
                rng.randint(3, 36),  # conservative care, months
                True,
                rng.random() < 0.5,  # epidural steroid received
                rng.choice((0, 0, 10, 30)),  # opioid MME/day
                rng.randint(10, 40) * 2,  # ODI
                rng.randint(6, 22),  # RMDQ
            )
        )  # fmt: skip
        studies.append((study, patient, before, 0))
        discography = before + timedelta(days=14)
        discograms += [
            (patient, discography, "L4-L5", 10, rng.randint(10, 60), rng.randint(6, 10),
             "concordant", rng.randint(2, 4)),
            (patient, discography, "L3-L4", 10, None, None, "none", 0),
        ]  # fmt: skip
        blocks.append(
            (patient, "medial_branch", LEVELS, before + timedelta(days=7), rng.randint(0, 40))
        )
    write(
        Intake,
        ("patient_id", "status", "back_pain_duration_months", "back_pain_nrs", "leg_pain_nrs",
         "leg_pain_below_knee", "radicular_signs", "conservative_care_months",
         "exercise_or_physical_therapy", "epidural_steroid_received", "opioid_mme_per_day",
         "odi", "rmdq"),
        intakes,
    )  # fmt: skip
    write(MRIStudy, ("id", "patient_id", "study_date", "scoliosis_cobb_degrees"), studies)
    findings: list[Row] = []
    for study_row in studies:
        study = study_row[0]
        findings += [
            (study, "L3-L4", 2, False, 0, 5),
            (study, "L4-L5", rng.randint(3, 4), rng.random() < 0.5, 0, rng.randint(5, 30)),
        ]
    write(
        LevelFinding,
        ("study_id", "level", "pfirrmann_grade", "high_intensity_zone", "modic_type",
         "disc_height_loss_percent"),
        findings,
    )  # fmt: skip
    write(
        Discogram,
        ("patient_id", "performed_on", "level", "opening_pressure_psi",
         "pain_onset_psi_above_opening", "pain_intensity", "concordance", "dallas_grade"),
        discograms,
    )  # fmt: skip
    write(
        DiagnosticInjection,
        ("patient_id", "kind", "levels", "performed_on", "relief_percent"),
        blocks,
    )
