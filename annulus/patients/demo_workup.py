"""The demo patients' work-up and decision: intake, MRI, discography, blocks, the stored
decision under the protocol version in force on its date, and dates that tell one story.

Split from `patients/demo.py` (which says who the demo patients are); every row is written
through the same actions as the staff pages.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from annulus.accounts.models import User
from annulus.audit.context import AuditContext
from annulus.clinical.actions import record_discography, record_injection, save_mri_study
from annulus.clinical.models import BlockKind, DiagnosticInjection, MRIStudy
from annulus.consents.demo import sign_demo_consent
from annulus.patients.actions import save_intake
from annulus.patients.models import RED_FLAG_FIELDS, Intake, IntakeStatus, Patient
from annulus.screening.red_flags import CAUDA_EQUINA_IDS

SEED = AuditContext.system("seed_demo")
# annulus-default v2 was released this many days before the seed's today: every stored demo
# decision is older, so it was made under v1, and the pages offer "re-evaluate under v2".
V2_RELEASED_DAYS_AGO = 2
# The record was opened this long before the first test of the work-up (the oldest event).
RECORD_OPENED_BEFORE_WORK_UP = timedelta(days=30)
WORK_UP_STARTS = 150  # days before the anchor: the medial branch block, the oldest test

BASE_INTAKE: dict[str, Any] = {
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
    "consent_to_treatment_information": True,
    # Protocol v2 facts (spec §6.1); the PHQ-9's date is set per patient, before their work-up.
    "pregnant": False,
    "anticoagulant_or_antiplatelet": False,
    "compensation_or_litigation": False,
    "phq9": 6,
    **dict.fromkeys(RED_FLAG_FIELDS, False),
}
BASE_LEVEL: dict[str, Any] = {
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


def add_spec_discography(patient: Patient, day: date) -> None:
    """The spec example's discography: L4-L5 positive, L3-L4 a painless adjacent control."""
    levels: dict[str, dict[str, Any]] = {
        "L3-L4": {"opening_pressure_psi": 8, "pain_intensity": 0, "concordance": "none"},
        "L4-L5": {
            "opening_pressure_psi": 9,
            "pain_onset_psi_above_opening": 12,
            "pain_intensity": 8,
            "concordance": "concordant",
            "dallas_grade": 3,
        },
    }
    # Signed first: the action refuses a discography without the patient's signed consent.
    sign_demo_consent(patient, "discography", ctx=SEED)
    record_discography(patient, day, levels, actor=None, ctx=SEED)


def add_medial_branch_block(patient: Patient, day: date, relief_percent: int = 20) -> None:
    injection = DiagnosticInjection(
        patient=patient,
        kind=BlockKind.MEDIAL_BRANCH,
        performed_on=day,
        levels=["L4-L5", "L5-S1"],
        relief_percent=relief_percent,
    )
    record_injection(injection, actor=None, ctx=SEED)


def protocol_version_on(day: date, today: date) -> int:
    """The annulus-default version in force on ``day`` (the demo's release history)."""
    return 2 if day >= today - timedelta(days=V2_RELEASED_DAYS_AGO) else 1


def seed_work_up(patient: Patient, spec: Any, anchor: date) -> None:
    """Intake, MRI, discography and blocks, all dated before ``anchor`` (treatment or today)."""
    # A cauda-equina sign was reported by the patient on their intake link (an alert from intake).
    by_patient = any(spec.intake.get(flag) for flag in CAUDA_EQUINA_IDS)
    answers = {**BASE_INTAKE, "phq9_date": anchor - timedelta(days=60), **spec.intake}
    save_intake(Intake(patient=patient, **answers), actor=None, ctx=SEED,
                via_patient_link=by_patient)  # fmt: skip
    study = MRIStudy(
        patient=patient,
        study_date=anchor - timedelta(days=110),
        report_reference=f"DEMO-MRI-{patient.pk:04d}",
        scoliosis_cobb_degrees=spec.cobb,
    )
    levels = {"L4-L5": {**BASE_LEVEL, **spec.level}, "L3-L4": dict(BASE_LEVEL)}
    save_mri_study(study, levels, actor=None, ctx=SEED)
    add_spec_discography(patient, anchor - timedelta(days=40))
    if spec.mbb_relief is not None:
        add_medial_branch_block(patient, anchor - timedelta(days=WORK_UP_STARTS), spec.mbb_relief)
    if spec.sij_relief is not None:
        injection = DiagnosticInjection(
            patient=patient,
            kind=BlockKind.SI_JOINT,
            performed_on=anchor - timedelta(days=60),
            side="left",
            relief_percent=spec.sij_relief,
        )
        record_injection(injection, actor=None, ctx=SEED)


def store_decision(
    patient: Patient, *, assessed_on: date, today: date, reviewer: User | None
) -> None:
    """The decision the clinic stored on ``assessed_on``, under the protocol then in force;
    decisions acted on (treated, referred, closed) were accepted by the clinician then."""
    from annulus.candidacy.actions import accept_evaluation, record_evaluation
    from annulus.candidacy.engine import load_protocol

    version = protocol_version_on(assessed_on, today)
    evaluation = record_evaluation(
        patient, protocol=load_protocol("annulus-default", version), assessed_on=assessed_on
    )
    if reviewer is not None:
        accept_evaluation(evaluation, user=reviewer)


def backdate(patient: Patient, anchor: date) -> None:
    """Seed-only: the history happened before today, so its timestamps say so. The record was
    opened before the work-up, the intake sent and reviewed at its start, and each decision
    stored on the day it was assessed; the timeline then reads in the order things happened."""
    from annulus.candidacy.models import Evaluation

    zone = patient.clinic.zone

    def at(day: date, hour: int) -> datetime:
        return datetime.combine(day, time(hour), tzinfo=zone)

    first = anchor - timedelta(days=WORK_UP_STARTS)
    Patient.objects.filter(pk=patient.pk).update(
        created_at=at(first - RECORD_OPENED_BEFORE_WORK_UP, 9)
    )
    intake_day = first - timedelta(days=7)
    Intake.objects.filter(patient=patient).update(
        submitted_at=at(intake_day, 18), reviewed_at=at(intake_day + timedelta(days=1), 9)
    )
    for evaluation in Evaluation.objects.filter(patient=patient):
        moment = at(evaluation.assessed_on, 11)
        Evaluation.objects.filter(pk=evaluation.pk).update(
            evaluated_at=moment,
            reviewed_at=moment + timedelta(hours=2) if evaluation.reviewed_at else None,
        )
