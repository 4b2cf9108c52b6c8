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
from annulus.clinical.actions import (
    record_procedure,
    refer_elsewhere,
)
from annulus.clinical.models import (
    AlternativeReferral,
    FibrinProcedure,
)
from annulus.consents.demo import sign_demo_consent
from annulus.patients.actions import (
    change_stage,
    create_patient,
    record_va_visit,
    save_authorization,
    save_intake,
)
from annulus.patients.demo_workup import (  # re-exported: tests build records from these
    BASE_INTAKE,
    BASE_LEVEL,
    SEED,
    add_medial_branch_block,
    add_spec_discography,
    backdate,
    seed_work_up,
    store_decision,
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

__all__ = [
    "BASE_INTAKE",
    "BASE_LEVEL",
    "PATIENTS",
    "add_medial_branch_block",
    "add_spec_discography",
    "email_for",
    "seed_patients",
]


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
    # The work-up happened before treatment; for the untreated it is recent.
    anchor = today - timedelta(days=spec.treated_days_ago or 0)
    seed_work_up(patient, spec, anchor)
    if spec.stage not in (Stage.NEW, Stage.WORK_UP):
        # Decisions acted on (treated, referred, closed) were reviewed then; the rest still wait.
        reviewed = spec.treated_days_ago is not None or bool(spec.referral)
        reviewed = reviewed or spec.stage == Stage.CLOSED
        store_decision(
            patient,
            assessed_on=anchor - timedelta(days=5),
            today=today,
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
    backdate(patient, anchor)
    return patient
