"""Synthetic demo patients: every stage, a candidate, each route, and a veteran with a VA
authorization. Invented people; emails use the reserved .test domain.

Each patient is a complete, protocol-ready record (the spec's example candidate) with one
deliberate difference that sends them down another path. Seeding is idempotent by email.
Every row is written through the same actions as the staff pages (`patients.actions`,
`clinical.actions`), so the demo has its change history and audit trail too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from annulus.accounts.models import Clinic, User
from annulus.audit.context import AuditContext
from annulus.clinical.actions import (
    record_discography,
    record_injection,
    record_procedure,
    refer_elsewhere,
    save_mri_study,
)
from annulus.clinical.models import (
    AlternativeReferral,
    BlockKind,
    DiagnosticInjection,
    FibrinProcedure,
    MRIStudy,
)
from annulus.consents.demo import sign_demo_consent
from annulus.patients.actions import (
    change_stage,
    create_patient,
    record_va_visit,
    save_authorization,
    save_intake,
)
from annulus.patients.models import (
    RED_FLAG_FIELDS,
    AuthorizedVisit,
    CommunityCareAuthorization,
    Intake,
    IntakeStatus,
    Patient,
    Stage,
)
from annulus.screening.red_flags import CAUDA_EQUINA_IDS

SEED = AuditContext.system("seed_demo")


@dataclass
class DemoPatient:
    first: str
    last: str
    born: tuple[int, int, int]
    sex: str
    stage: str
    expect: str  # the route (or outcome) the protocol should give; checked by a test
    veteran: bool = False
    intake: dict[str, Any] = field(default_factory=dict)
    level: dict[str, Any] = field(default_factory=dict)
    mbb_relief: int | None = 20
    sij_relief: int | None = None
    cobb: float = 0
    complete: bool = True
    treated_days_ago: int | None = None
    referral: str | None = None


PATIENTS = [
    DemoPatient(
        "Avery",
        "Fielding",
        (1982, 3, 14),
        "female",
        Stage.DECISION,
        "fibrin_injection",
        veteran=True,
    ),
    DemoPatient(
        "Blake",
        "Okafor",
        (1976, 9, 2),
        "male",
        Stage.TREATED,
        "fibrin_injection",
        treated_days_ago=20,
    ),
    # Treated 13 months ago and not heard from since: the lost-to-follow-up case. Re-evaluated
    # today the protocol asks for a newer MRI, as it should.
    DemoPatient(
        "Oakley",
        "Pemberton",
        (1974, 8, 19),
        "male",
        Stage.FOLLOW_UP,
        "needs_more_information",
        treated_days_ago=400,
    ),
    DemoPatient(
        "Carmen",
        "Liu",
        (1969, 1, 22),
        "female",
        Stage.FOLLOW_UP,
        "fibrin_injection",
        treated_days_ago=240,
    ),
    DemoPatient(
        "Dana",
        "Whitfield",
        (1958, 7, 30),
        "male",
        Stage.CLOSED,
        "emergency_department",
        intake={"saddle_anesthesia": True},
    ),
    DemoPatient(
        "Emerson",
        "Quinn",
        (1990, 11, 5),
        "other",
        Stage.WORK_UP,
        "urgent_medical_review",
        intake={"fever": True},
    ),
    DemoPatient(
        "Frankie",
        "Moreno",
        (1985, 4, 18),
        "female",
        Stage.DECISION,
        "conservative_care",
        intake={"back_pain_duration_months": 4},
        referral="conservative_care",
    ),
    DemoPatient(
        "Gray",
        "Halvorsen",
        (1979, 12, 9),
        "male",
        Stage.DECISION,
        "radicular_pain_care",
        intake={"leg_pain_nrs": 7, "leg_pain_below_knee": True},
    ),
    DemoPatient(
        "Harper",
        "Nakamura",
        (1972, 6, 1),
        "female",
        Stage.DECISION,
        "facet_directed_care",
        mbb_relief=80,
        referral="facet_directed_care",
    ),
    DemoPatient(
        "Indigo", "Brennan", (1981, 8, 27), "male", Stage.DECISION, "si_joint_care", sij_relief=90
    ),
    DemoPatient(
        "Jules",
        "Abernathy",
        (1966, 2, 11),
        "female",
        Stage.DECISION,
        "fusion_consult",
        cobb=28,
        veteran=True,
        referral="fusion",
    ),
    DemoPatient(
        "Kai",
        "Delacroix",
        (1963, 10, 16),
        "male",
        Stage.DECISION,
        "spine_surgery_consult",
        level={"pfirrmann_grade": 5},
    ),
    DemoPatient(
        "Lane", "Ferreira", (1946, 5, 3), "female", Stage.DECISION, "multidisciplinary_review"
    ),
    # A candidate under protocol v1 (3.9 mm of translation was only a warning) whom v2 refers for
    # a fusion opinion: `annulus rescreen --protocol annulus-default@2` names this patient.
    DemoPatient(
        "Parker",
        "Whitlock",
        (1977, 5, 21),
        "male",
        Stage.DECISION,
        "fusion_consult",
        level={"flexion_extension_translation_mm": 3.9},
    ),
    DemoPatient(
        "Morgan",
        "Tanaka",
        (1988, 3, 29),
        "other",
        Stage.WORK_UP,
        "needs_more_information",
        complete=False,
    ),
    DemoPatient(
        "Noor",
        "Castellanos",
        (1993, 7, 7),
        "female",
        Stage.NEW,
        "needs_more_information",
        complete=False,
        veteran=True,
    ),
]

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


def email_for(p: DemoPatient) -> str:
    return f"{p.first.lower()}.{p.last.lower()}@patients.demo.annulus.test"


@transaction.atomic
def seed_patients(clinic: Clinic, clinician: User, today: date) -> list[Patient]:
    seeded = []
    for spec in PATIENTS:
        existing = Patient.objects.filter(clinic=clinic, email=email_for(spec)).first()
        if existing is not None:
            seeded.append(existing)
            continue
        seeded.append(_create(spec, clinic, clinician, today))
    return seeded


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


def _create(spec: DemoPatient, clinic: Clinic, clinician: User, today: date) -> Patient:
    # Created new, then moved on through the same actions as a real record; its stage last.
    patient = create_patient(
        clinic,
        actor=None,
        ctx=SEED,
        first_name=spec.first,
        last_name=spec.last,
        date_of_birth=date(*spec.born),
        sex=spec.sex,
        email=email_for(spec),
        phone="+1 555 0100",
        veteran=spec.veteran,
        stage=spec.stage if spec.treated_days_ago is None else Stage.NEW,
        clinician=clinician,
    )
    if spec.stage == Stage.NEW:
        return patient
    if not spec.complete:
        intake = Intake(
            patient=patient,
            status=IntakeStatus.SUBMITTED,
            back_pain_duration_months=9,
            back_pain_nrs=6,
            **dict.fromkeys(RED_FLAG_FIELDS, False),
        )
        save_intake(intake, actor=None, ctx=SEED)
        return patient
    # A cauda-equina sign was reported by the patient on their intake link (an alert from intake).
    by_patient = any(spec.intake.get(flag) for flag in CAUDA_EQUINA_IDS)
    # The work-up happened before treatment; for the untreated it is recent.
    anchor = today - timedelta(days=spec.treated_days_ago or 0)
    answers = {**BASE_INTAKE, "phq9_date": anchor - timedelta(days=60), **spec.intake}
    intake = Intake(patient=patient, **answers)
    save_intake(intake, actor=None, ctx=SEED, via_patient_link=by_patient)
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
        add_medial_branch_block(patient, anchor - timedelta(days=150), spec.mbb_relief)
    if spec.sij_relief is not None:
        injection = DiagnosticInjection(
            patient=patient,
            kind=BlockKind.SI_JOINT,
            performed_on=anchor - timedelta(days=60),
            side="left",
            relief_percent=spec.sij_relief,
        )
        record_injection(injection, actor=None, ctx=SEED)
    if spec.stage not in (Stage.NEW, Stage.WORK_UP):
        # Decisions acted on (treated, referred, closed) were reviewed then; the rest still wait.
        reviewed = spec.treated_days_ago is not None or bool(spec.referral)
        reviewed = reviewed or spec.stage == Stage.CLOSED
        _store_decision(
            patient,
            assessed_on=anchor - timedelta(days=5),
            reviewer=clinician if reviewed else None,
        )
    if spec.treated_days_ago is not None:
        procedure = FibrinProcedure(
            patient=patient,
            performed_on=today - timedelta(days=spec.treated_days_ago),
            levels=["L4-L5"],
            product="Fibrin sealant (demo product)",
            manufacturer="Demo Biologics (fictional)",
            lot_number=f"DEMO-LOT-{patient.pk:03d}",
            lot_expiry=today + timedelta(days=365),
            labelled_indication="Adjunct to hemostasis in surgery (demo label)",
            off_label=True,
            volume_ml_per_level={"L4-L5": 2.0},
            guidance="fluoroscopy",
            operator=clinician,
            sedation="local",
        )
        sign_demo_consent(patient, "fibrin-procedure", ctx=SEED)
        record_procedure(procedure, actor=None, ctx=SEED)  # treated, with its procedure date
        change_stage(patient, spec.stage, actor=None, ctx=SEED, reason="seed_demo")
    if spec.referral:
        referral = AlternativeReferral(
            patient=patient, alternative=spec.referral, referred_on=today - timedelta(days=7)
        )
        refer_elsewhere(referral, actor=None, ctx=SEED)
    if spec.veteran:
        auth = CommunityCareAuthorization(
            patient=patient,
            referral_number=f"VA-DEMO-{patient.pk:05d}",
            seoc="Pain management (demo SEOC)",
            authorized_services="Consultation, diagnostic injections, follow-up",
            visits_authorized=4,
            valid_from=today - timedelta(days=150),
            valid_to=today + timedelta(days=25),
            region="Region 2",
            third_party_administrator="TriWest Healthcare Alliance",
        )
        save_authorization(auth, actor=None, ctx=SEED)
        for days_ago, description in ((120, "Consultation"), (40, "Discography")):
            visit = AuthorizedVisit(
                authorization=auth,
                visit_date=today - timedelta(days=days_ago),
                description=description,
            )
            record_va_visit(visit, actor=None, ctx=SEED)
    return patient


def _store_decision(patient: Patient, *, assessed_on: date, reviewer: User | None) -> None:
    """The decision the clinic stored at the time, under the protocol then in force (v1).

    Version 2 was released later, so these patients' pages offer "re-evaluate under v2", and
    `annulus rescreen --protocol annulus-default@2` lists those whose decision would change.
    """
    from annulus.candidacy.actions import record_evaluation
    from annulus.candidacy.engine import load_protocol

    record_evaluation(
        patient, protocol=load_protocol("annulus-default", 1), assessed_on=assessed_on
    )
