"""A synthetic registry: a separate clinic with N made-up patients, for tests and benchmarks.

Each patient gets a full work-up (intake, an MRI with two levels, discography with a control
disc, a medial branch block), an arm (fibrin about half, then conservative care, surgery referral
and other routes), a treatment date within the last five years, a follow-up on the standard plan
with realistic attrition (about 90 % answer at 6 weeks, falling to about 55 % at 5 years), and now
and then a repeat procedure, a surgery referral or an adverse event.

Rows are written in chunks as plain tuples (``bulk_rows``: COPY on PostgreSQL, ``bulk_create`` on
SQLite), not through the action layer: this is seed data for a clinic that exists only to measure
and test, so the per-row audit and change history the actions write would only cost time (about
50x) and say nothing true. Nobody here is real. Building model instances and letting the ORM
render them was most of the time (about 30 patients/s at 100,000 under load), so parents take
ids reserved up front and no row is read back.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction

from annulus.accounts.models import Clinic, Membership, Role, User
from annulus.analytics.bulk_rows import (
    Row,
    check_references,
    reserve_ids,
    skip_reference_triggers,
    write,
)
from annulus.analytics.synthetic_workup import LEVELS, write_work_up
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
    TimePointScores,
)
from annulus.outcomes.schedule import STANDARD_PLAN
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


# The standard plan's time points, worked out once (``plan_time_points`` per patient was a fifth
# of the time): code, label, position, offsets of due, opens and closes from the treatment
# date, the instruments asked and how far along the patient's gain the scores are.
POINTS = [
    (point.code, point.label, position, timedelta(days=point.due), timedelta(days=point.opens),
     timedelta(days=point.closes), INSTRUMENTS.get(point.code, FULL),
     0.0 if point.code == "baseline" else RAMP.get(point.code, 1.0))
    for position, point in enumerate(STANDARD_PLAN.points)
]  # fmt: skip
FIVE_DAYS = timedelta(days=5)
SEX = ("female", "male", "male", "female", "unknown")
EVENING = time(18)
LAST_SECOND = time(23, 59, 59)
NO_ANSWERS: dict[str, object] = {}
UNSCORED_WHEN_PARTIAL = ("rmdq", "nrs-leg")  # a partial answer stops before the last ones


def seed_registry(
    patients: int,
    *,
    seed: int = 1,
    slug: str = "synthetic-registry",
    today: date | None = None,
    chunk: int = 5000,
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
    done, unchecked = 0, False
    while done < patients:
        size = min(chunk, patients - done)
        with transaction.atomic():
            unchecked |= skip_reference_triggers()
            _chunk(clinic, operator, rng, today, done, size)
        done += size
        if progress is not None:
            progress(done, patients)
    if unchecked:
        check_references(TABLES)
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
    first = reserve_ids(Patient, size)
    people = range(first, first + size)
    write(
        Patient,
        ("id", "clinic_id", "first_name", "last_name", "date_of_birth", "sex", "veteran",
         "stage", "procedure_date", "created_at"),
        [
            (
                patient, clinic.pk,
                rng.choice(FIRST),
                f"{rng.choice(LAST)}{start + i + 1:06d}",
                plan.treated - timedelta(days=rng.randint(25 * 365, 70 * 365)),
                rng.choice(SEX),
                rng.random() < 0.18 if rng.random() < 0.9 else None,
                "follow-up",
                plan.treated if plan.arm == FIBRIN_ARM else None,
                now,
            )
            for i, (patient, plan) in enumerate(zip(people, plans, strict=True))
        ],
    )  # fmt: skip
    write_work_up(people, plans, rng)
    procedures: list[Row] = []
    referrals: list[Row] = []
    events: list[Row] = []
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
            referrals.append((patient, plan.arm, plan.treated))
            if rng.random() < 0.02:
                events.append(_event(patient, plan.treated, rng, serious=False))
        if rng.random() < (0.05 if plan.arm != "fusion" else 0.0):
            later = plan.treated + timedelta(days=rng.randint(120, 1700))
            if later <= today:
                referrals.append((patient, "fusion", later))
    write(
        FibrinProcedure,
        ("patient_id", "performed_on", "levels", "product", "lot_number", "volume_ml_per_level",
         "operator_id", "sedation"),
        procedures,
    )  # fmt: skip
    write(AlternativeReferral, ("patient_id", "alternative", "referred_on"), referrals)
    write(
        AdverseEvent,
        ("patient_id", "onset_on", "description", "related", "serious", "discitis"),
        events,
    )
    invitations = _follow_up(people, plans, rng, today)
    _refresh_derived(invitations)


def _refresh_derived(invitations: range) -> None:
    """Bring the tables derived from the chunk's rows up to date (bulk writes skip the actions).

    Every derived table that the scoring actions maintain gets its chunk-wide refresh here: the
    score pivot, and with it the chunk's follow-up summaries and the pivot rows' report columns
    (``time_point_scores.refresh_between`` → ``follow_up_summary``), on PostgreSQL (COPY) and
    SQLite (``bulk_create``) alike.
    """
    if invitations:
        time_point_scores.refresh_between(invitations[0], invitations[-1])


VOLUMES = {"L4-L5": 2.0}


def _fibrin(patient: int, day: date, operator: User) -> Row:
    return (patient, day, LEVELS, "Synthetic fibrin sealant", "SYN-0001", VOLUMES, operator.pk,
            "local")  # fmt: skip


def _event(patient: int, treated: date, rng: random.Random, *, serious: bool) -> Row:
    return (
        patient,
        treated + timedelta(days=rng.randint(0, 30)),
        "Synthetic adverse event",
        rng.random() < 0.7,
        serious,
        serious and rng.random() < 0.3,
    )


def _follow_up(people: range, plans: list[Plan], rng: random.Random, today: date) -> range:
    """Write the follow-ups, invitations, responses and scores; return the invitation ids."""
    now = datetime.now(UTC)
    first = reserve_ids(FollowUp, len(people))
    follow_ups = range(first, first + len(people))
    write(
        FollowUp,
        ("id", "patient_id", "plan_id", "plan_version", "arm", "anchor", "treatment_date",
         "status", "stop_reason", "stopped_at"),
        [
            (follow_up, patient, STANDARD_PLAN.id, STANDARD_PLAN.version, plan.arm,
             PROCEDURE if plan.arm == FIBRIN_ARM else REFERRAL, plan.treated,
             "stopped" if plan.stopped else "active",
             "patient-withdrew" if plan.stopped else "", now if plan.stopped else None)
            for follow_up, patient, plan in zip(follow_ups, people, plans, strict=True)
        ],
    )  # fmt: skip
    count = len(people) * len(STANDARD_PLAN.points)
    first = reserve_ids(Invitation, count)
    invitations: list[Row] = []
    # (invitation id, scores, partial, answered at, window's last second) per answered one.
    answers: list[tuple[int, dict[str, float], bool, datetime, datetime]] = []
    invitation = first
    for follow_up, plan in zip(follow_ups, plans, strict=True):
        baseline = {
            "odi": _clip(rng.gauss(46, 12), 12, 90),
            "nrs-back": _clip(rng.gauss(7, 1.3), 3, 10),
            "nrs-leg": _clip(rng.gauss(3, 2), 0, 10),
            "rmdq": _clip(rng.gauss(14, 4), 4, 24),
        }
        responds = rng.random() < plan.responder
        gain = rng.uniform(0.3, 0.85) if responds else rng.uniform(-0.2, 0.28)
        for code, label, position, due, opens_in, closes_in, asked, ramp in POINTS:
            opens, closes = plan.treated + opens_in, plan.treated + closes_in
            if opens > today:
                status = "cancelled" if plan.stopped else "scheduled"
            elif closes >= today:
                status = "cancelled" if plan.stopped else "sent"
            elif rng.random() < COMPLETION[code]:
                status = "partial" if rng.random() < 0.03 else "completed"
            else:
                status = "missed"
            answered_at = datetime.combine(opens + FIVE_DAYS, EVENING, tzinfo=UTC)
            expires_at = datetime.combine(closes, LAST_SECOND, tzinfo=UTC)
            invitations.append(
                (invitation, follow_up, code, label, position, opens, plan.treated + due,
                 closes, expires_at, status, asked,
                 None if status == "scheduled" else answered_at - FIVE_DAYS,
                 answered_at if status == "completed" else None,
                 "follow-up stopped" if status == "cancelled" else "")
            )  # fmt: skip
            if status in ("completed", "partial"):
                noise = rng.gauss(0, 0.08) if ramp else 0.0
                scores = {i: _score(i, baseline, gain * ramp + noise) for i in asked}
                answers.append((invitation, scores, status == "partial", answered_at, expires_at))
            invitation += 1
    write(
        Invitation,
        ("id", "follow_up_id", "code", "label", "position", "opens", "due", "closes",
         "expires_at", "status", "instruments", "sent_at", "completed_at", "cancelled_reason"),
        invitations,
    )  # fmt: skip
    _responses(answers)
    return range(first, first + count)


def _responses(answers: list[tuple[int, dict[str, float], bool, datetime, datetime]]) -> None:
    first = reserve_ids(Response, len(answers))
    responses: list[Row] = []
    parts: list[Row] = []
    for response, (invitation, scores, partial, answered_at, expires_at) in enumerate(
        answers, first
    ):
        completed_at = None if partial else answered_at
        started_at = completed_at or expires_at - timedelta(days=2)
        responses.append(
            (response, invitation, started_at, completed_at, expires_at if partial else None,
             partial, 1)
        )  # fmt: skip
        for instrument, score in scores.items():
            if partial and instrument in UNSCORED_WHEN_PARTIAL:
                continue
            parts.append(
                (response, instrument, "synthetic", SHA, NO_ANSWERS, EXPECTED[instrument],
                 EXPECTED[instrument], score, started_at)
            )  # fmt: skip
    write(
        Response,
        ("id", "invitation_id", "started_at", "submitted_at", "closed_at", "partial",
         "last_page"),
        responses,
    )  # fmt: skip
    write(
        InstrumentResponse,
        ("response_id", "instrument_id", "instrument_version", "instrument_sha256", "answers",
         "answered", "expected", "score", "scored_at"),
        parts,
    )  # fmt: skip


SHA = "0" * 64
# Every table seeding writes, parents first.
TABLES = (Patient, Intake, MRIStudy, LevelFinding, Discogram, DiagnosticInjection,
          FibrinProcedure, AlternativeReferral, AdverseEvent, FollowUp, Invitation, Response,
          InstrumentResponse, TimePointScores)  # fmt: skip
PROCEDURE = Anchor.PROCEDURE.value
REFERRAL = Anchor.REFERRAL.value
