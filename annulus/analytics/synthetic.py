"""A synthetic registry: a separate clinic with N made-up patients, for tests and benchmarks.

Each patient gets a full work-up (intake, an MRI with two levels, discography with a control
disc, a medial branch block), an arm (fibrin about half, then conservative care, surgery referral
and other routes), a treatment date within the last five years, a follow-up on the standard plan
with realistic attrition (about 90 % answer at 6 weeks, falling to about 55 % at 5 years), and now
and then a repeat procedure, a surgery referral or an adverse event.

Rows are written with ``bulk_create`` in chunks, not through the action layer: this is seed data
for a clinic that exists only to measure and test, so the per-row audit and change history the
actions write would only cost time (about 50x) and say nothing true. Nobody here is real.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction

from annulus.accounts.models import Clinic, Membership, Role, User
from annulus.clinical.models import (
    AdverseEvent,
    AlternativeReferral,
    DiagnosticInjection,
    Discogram,
    FibrinProcedure,
    LevelFinding,
    MRIStudy,
)
from annulus.outcomes import time_point_scores
from annulus.outcomes.models import (
    FIBRIN_ARM,
    Anchor,
    FollowUp,
    InstrumentResponse,
    Invitation,
    Response,
)
from annulus.outcomes.schedule import STANDARD_PLAN, plan_time_points
from annulus.patients.models import Intake, Patient

__all__ = ["COMPLETION", "seed_registry"]

# Chance of answering each time point (the attrition: ~90 % at 6 weeks to ~55 % at 5 y).
COMPLETION = {
    "baseline": 0.97,
    "week-2": 0.92,
    "week-6": 0.90,
    "month-3": 0.85,
    "month-6": 0.80,
    "month-12": 0.74,
    "month-24": 0.66,
    "month-36": 0.61,
    "month-48": 0.58,
    "month-60": 0.55,
}
INSTRUMENTS = {"week-2": ["nrs-back", "nrs-leg"]}
FULL = ["odi", "nrs-back", "nrs-leg", "rmdq"]
EXPECTED = {"odi": 10, "nrs-back": 1, "nrs-leg": 1, "rmdq": 24}
# Share of each arm, and of responders in it (made up; roughly the trials' range).
ARMS = (
    (FIBRIN_ARM, 0.50, 0.45),
    ("conservative_care", 0.25, 0.35),
    ("fusion", 0.10, 0.50),
    ("spine_surgery_consult", 0.05, 0.45),
    ("facet_directed_care", 0.10, 0.30),
)
RAMP = {"week-2": 0.3, "week-6": 0.5, "month-3": 0.8}
FIRST = ("Alex", "Sam", "Jordan", "Riley", "Casey", "Morgan", "Taylor", "Jamie", "Robin", "Drew")
LAST = ("Registry", "Synthetic", "Example", "Sample", "Testcase", "Placeholder")


@dataclass
class Plan:
    """What one patient's rows will say, drawn up front so the chunk can be bulk-written."""

    arm: str
    treated: date
    responder: float
    stopped: bool


def _clip(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _score(instrument: str, baseline: dict[str, float], improvement: float) -> float:
    value = baseline[instrument] * (1 - improvement)
    if instrument == "odi":
        return _clip(2 * round(value / 2), 0, 100)
    if instrument == "rmdq":
        return _clip(round(value), 0, 24)
    return _clip(round(value), 0, 10)


def seed_registry(
    patients: int,
    *,
    seed: int = 1,
    slug: str = "synthetic-registry",
    today: date | None = None,
    chunk: int = 1000,
    progress: Callable[[int, int], None] | None = None,
) -> Clinic:
    """Create the clinic ``slug`` and ``patients`` synthetic patients in it."""
    rng = random.Random(seed)
    today = today or datetime.now(UTC).date()
    with transaction.atomic():
        clinic = Clinic.objects.create(
            name="Synthetic registry (not a real clinic)", slug=slug, timezone="UTC"
        )
        operator = User.objects.create_user(f"operator@{slug}.annulus.test", None)
        Membership.objects.create(user=operator, clinic=clinic, role=Role.CLINICIAN)
    done = 0
    while done < patients:
        size = min(chunk, patients - done)
        with transaction.atomic():
            _chunk(clinic, operator, rng, today, done, size)
        done += size
        if progress is not None:
            progress(done, patients)
    return clinic


def _draw(rng: random.Random, today: date) -> Plan:
    pick = rng.random()
    for arm, share, responders in ARMS:  # noqa: B007 - the last arm takes what is left
        if pick < share:
            break
        pick -= share
    # Five years back, plus the 5-year window's 61 days and a month: some patients reach the
    # 5-year time point, so its completion (~55 %) shows in the report.
    treated = today - timedelta(days=rng.randint(14, 5 * 365 + 92))
    return Plan(arm, treated, responders, rng.random() < 0.02)


def _chunk(
    clinic: Clinic, operator: User, rng: random.Random, today: date, start: int, size: int
) -> None:
    plans = [_draw(rng, today) for _ in range(size)]
    now = datetime.now(UTC)
    people = Patient.objects.bulk_create(
        [
            Patient(
                clinic=clinic,
                first_name=rng.choice(FIRST),
                last_name=f"{rng.choice(LAST)}{start + i + 1:06d}",
                date_of_birth=plan.treated - timedelta(days=rng.randint(25 * 365, 70 * 365)),
                sex=rng.choice(("female", "male", "male", "female", "unknown")),
                veteran=rng.random() < 0.18 if rng.random() < 0.9 else None,
                stage="follow-up",
                procedure_date=plan.treated if plan.arm == FIBRIN_ARM else None,
                created_at=now,
            )
            for i, plan in enumerate(plans)
        ]
    )
    _work_up(people, plans, rng)
    procedures, referrals, events = [], [], []
    for patient, plan in zip(people, plans, strict=True):
        if plan.arm == FIBRIN_ARM:
            procedures.append(_fibrin(patient, plan.treated, operator))
            if rng.random() < 0.07:
                later = plan.treated + timedelta(days=rng.randint(90, 1500))
                if later <= today:
                    procedures.append(_fibrin(patient, later, operator))
            if rng.random() < 0.06:
                events.append(_event(patient, plan.treated, rng, serious=rng.random() < 0.15))
        else:
            referrals.append(
                AlternativeReferral(patient=patient, alternative=plan.arm, referred_on=plan.treated)
            )
            if rng.random() < 0.02:
                events.append(_event(patient, plan.treated, rng, serious=False))
        if rng.random() < (0.05 if plan.arm != "fusion" else 0.0):
            later = plan.treated + timedelta(days=rng.randint(120, 1700))
            if later <= today:
                referrals.append(
                    AlternativeReferral(patient=patient, alternative="fusion", referred_on=later)
                )
    FibrinProcedure.objects.bulk_create(procedures)
    AlternativeReferral.objects.bulk_create(referrals)
    AdverseEvent.objects.bulk_create(events)
    _follow_up(people, plans, rng, today)


def _fibrin(patient: Patient, day: date, operator: User) -> FibrinProcedure:
    return FibrinProcedure(
        patient=patient,
        performed_on=day,
        levels=["L4-L5"],
        product="Synthetic fibrin sealant",
        lot_number="SYN-0001",
        volume_ml_per_level={"L4-L5": 2.0},
        operator=operator,
        sedation="local",
    )


def _event(patient: Patient, treated: date, rng: random.Random, *, serious: bool) -> AdverseEvent:
    return AdverseEvent(
        patient=patient,
        onset_on=treated + timedelta(days=rng.randint(0, 30)),
        description="Synthetic adverse event",
        related=rng.random() < 0.7,
        serious=serious,
        discitis=serious and rng.random() < 0.3,
    )


def _work_up(people: list[Patient], plans: list[Plan], rng: random.Random) -> None:
    intakes, studies, discograms, blocks = [], [], [], []
    for patient, plan in zip(people, plans, strict=True):
        before = plan.treated - timedelta(days=rng.randint(30, 90))
        intakes.append(
            Intake(
                patient=patient,
                status="reviewed",
                back_pain_duration_months=rng.randint(6, 120),
                back_pain_nrs=rng.randint(4, 10),
                leg_pain_nrs=rng.randint(0, 5),
                leg_pain_below_knee=False,
                radicular_signs=False,
                conservative_care_months=rng.randint(3, 36),
                exercise_or_physical_therapy=True,
                epidural_steroid_received=rng.random() < 0.5,
                opioid_mme_per_day=rng.choice((0, 0, 10, 30)),
                odi=rng.randint(10, 40) * 2,
                rmdq=rng.randint(6, 22),
            )
        )
        studies.append(MRIStudy(patient=patient, study_date=before, scoliosis_cobb_degrees=0))
        discograms += [
            Discogram(
                patient=patient,
                performed_on=before + timedelta(days=14),
                level="L4-L5",
                opening_pressure_psi=10,
                pain_onset_psi_above_opening=rng.randint(10, 60),
                pain_intensity=rng.randint(6, 10),
                concordance="concordant",
                dallas_grade=rng.randint(2, 4),
            ),
            Discogram(
                patient=patient,
                performed_on=before + timedelta(days=14),
                level="L3-L4",
                opening_pressure_psi=10,
                concordance="none",
                dallas_grade=0,
            ),
        ]
        blocks.append(
            DiagnosticInjection(
                patient=patient,
                kind="medial_branch",
                levels=["L4-L5"],
                performed_on=before + timedelta(days=7),
                relief_percent=rng.randint(0, 40),
            )
        )
    Intake.objects.bulk_create(intakes)
    MRIStudy.objects.bulk_create(studies)
    findings = []
    for study in studies:
        findings += [
            LevelFinding(
                study=study,
                level="L3-L4",
                pfirrmann_grade=2,
                high_intensity_zone=False,
                modic_type=0,
                disc_height_loss_percent=5,
            ),
            LevelFinding(
                study=study,
                level="L4-L5",
                pfirrmann_grade=rng.randint(3, 4),
                high_intensity_zone=rng.random() < 0.5,
                modic_type=0,
                disc_height_loss_percent=rng.randint(5, 30),
            ),
        ]
    LevelFinding.objects.bulk_create(findings)
    Discogram.objects.bulk_create(discograms)
    DiagnosticInjection.objects.bulk_create(blocks)


def _follow_up(people: list[Patient], plans: list[Plan], rng: random.Random, today: date) -> None:
    now = datetime.now(UTC)
    follow_ups = FollowUp.objects.bulk_create(
        [
            FollowUp(
                patient=patient,
                plan_id=STANDARD_PLAN.id,
                plan_version=STANDARD_PLAN.version,
                arm=plan.arm,
                anchor=Anchor.PROCEDURE if plan.arm == FIBRIN_ARM else Anchor.REFERRAL,
                treatment_date=plan.treated,
                status="stopped" if plan.stopped else "active",
                stop_reason="patient-withdrew" if plan.stopped else "",
                stopped_at=now if plan.stopped else None,
            )
            for patient, plan in zip(people, plans, strict=True)
        ]
    )
    invitations: list[Invitation] = []
    answers: list[tuple[Invitation, dict[str, float], bool]] = []
    for follow_up, plan in zip(follow_ups, plans, strict=True):
        baseline = {
            "odi": _clip(rng.gauss(46, 12), 12, 90),
            "nrs-back": _clip(rng.gauss(7, 1.3), 3, 10),
            "nrs-leg": _clip(rng.gauss(3, 2), 0, 10),
            "rmdq": _clip(rng.gauss(14, 4), 4, 24),
        }
        responds = rng.random() < plan.responder
        gain = rng.uniform(0.3, 0.85) if responds else rng.uniform(-0.2, 0.28)
        for point in plan_time_points(STANDARD_PLAN, plan.treated):
            closed = point.closes < today
            if point.opens > today:
                status = "cancelled" if plan.stopped else "scheduled"
            elif not closed:
                status = "cancelled" if plan.stopped else "sent"
            elif rng.random() < COMPLETION[point.code]:
                status = "partial" if rng.random() < 0.03 else "completed"
            else:
                status = "missed"
            asked = INSTRUMENTS.get(point.code, FULL)
            answered_at = datetime.combine(point.opens + timedelta(days=5), time(18), tzinfo=UTC)
            invitation = Invitation(
                follow_up=follow_up,
                code=point.code,
                label=point.label,
                position=STANDARD_PLAN.points.index(
                    next(p for p in STANDARD_PLAN.points if p.code == point.code)
                ),
                opens=point.opens,
                due=point.due,
                closes=point.closes,
                expires_at=datetime.combine(point.closes, time(23, 59, 59), tzinfo=UTC),
                status=status,
                instruments=asked,
                sent_at=None if status == "scheduled" else answered_at - timedelta(days=5),
                completed_at=answered_at if status == "completed" else None,
                cancelled_reason="follow-up stopped" if status == "cancelled" else "",
            )
            invitations.append(invitation)
            if status in ("completed", "partial"):
                ramp = 0.0 if point.code == "baseline" else RAMP.get(point.code, 1.0)
                noise = rng.gauss(0, 0.08) if ramp else 0.0
                scores = {i: _score(i, baseline, gain * ramp + noise) for i in asked}
                answers.append((invitation, scores, status == "partial"))
    Invitation.objects.bulk_create(invitations)
    responses = Response.objects.bulk_create(
        [
            Response(
                invitation=invitation,
                started_at=invitation.completed_at or invitation.expires_at - timedelta(days=2),
                submitted_at=None if partial else invitation.completed_at,
                closed_at=invitation.expires_at if partial else None,
                partial=partial,
                last_page=1,
            )
            for invitation, _, partial in answers
        ]
    )
    parts = []
    for response, (_, scores, partial) in zip(responses, answers, strict=True):
        for instrument, score in scores.items():
            if partial and instrument in ("rmdq", "nrs-leg"):
                continue  # a partial answer stops before the last questionnaires
            parts.append(
                InstrumentResponse(
                    response=response,
                    instrument_id=instrument,
                    instrument_version="synthetic",
                    instrument_sha256="0" * 64,
                    answers={},
                    answered=EXPECTED[instrument],
                    expected=EXPECTED[instrument],
                    score=score,
                    scored_at=response.started_at,
                )
            )
    InstrumentResponse.objects.bulk_create(parts)
    # Bulk writes skip the scoring action, so the report's score pivot is rebuilt here, once per
    # chunk.
    time_point_scores.refresh([invitation.pk for invitation, _, _ in answers])
