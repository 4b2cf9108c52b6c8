"""Demo follow-up: realistic trajectories with attrition for the synthetic demo patients.

Every demo patient with a treatment date (a fibrin procedure, or a referral to another treatment,
followed on the same plan) is enrolled as if the clinic had done it four weeks before treatment,
and each time point whose window has closed gets the fate of the patient's profile: answered
(with answers that give the profile's scores, scored by the real scoring code), partly answered,
or missed after the invitation and both reminders went out. Windows open today are left to the
background worker, which sends their invitations for real. Profiles are data, keyed by the demo
patient's email; a treated patient without a profile is followed with the "drifts away" profile
(answers early, then misses every window: lost to follow-up), so attrition is always present.

Idempotent: a patient already enrolled is left alone.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction

from annulus.lib.tokens import token_hash
from annulus.notifications.models import OutboundEmail, Status
from annulus.outcomes import actions, library, time_point_scores
from annulus.outcomes.delivery import REDACTED, reminder_days
from annulus.outcomes.models import (
    FollowUp,
    InstrumentResponse,
    Invitation,
    InvitationStatus,
    LinkPurpose,
    Response,
    SurveyLink,
)
from annulus.patients.models import Patient

__all__ = ["PROFILES", "seed_outcomes"]

# Scores to reach at each time point: {"odi": %, "nrs-back": 0-10, "nrs-leg": 0-10, "rmdq": 0-24,
# "pgic": 1-7, "satisfaction": 1-5}; "missed" for no answer; "partial" keys mark a partial answer.
Fate = dict[str, Any]
MISSED: Fate = {"missed": True}


@dataclass(frozen=True)
class Profile:
    name: str
    fates: dict[str, Fate] = field(default_factory=dict)
    default: Fate = field(default_factory=lambda: MISSED)
    answer_day: int = 5  # answers come this many days after the window opens


PROFILES: dict[str, Profile] = {
    # Fibrin, 8 months ago: improves past the MCID; missed the 3-month window, came back at 6.
    "carmen.liu@patients.demo.annulus.test": Profile(
        "improves, one gap",
        {
            "baseline": {"odi": 48, "nrs-back": 8, "nrs-leg": 4, "rmdq": 15},
            "week-2": {"nrs-back": 7, "nrs-leg": 4, "pgic": 4},
            "week-6": {"odi": 40, "nrs-back": 6, "nrs-leg": 3, "pgic": 3},
            "month-3": MISSED,
            "month-6": {
                "odi": 26,
                "nrs-back": 3,
                "nrs-leg": 2,
                "rmdq": 8,
                "pgic": 2,
                "satisfaction": 4,
            },
        },
    ),
    # Fibrin, 20 days ago: baseline and the safety check answered.
    "blake.okafor@patients.demo.annulus.test": Profile(
        "early days",
        {
            "baseline": {"odi": 42, "nrs-back": 7, "nrs-leg": 2, "rmdq": 13},
            "week-2": {"nrs-back": 6, "nrs-leg": 2, "pgic": 4},
        },
        answer_day=8,
    ),
    # Referred to conservative care, fusion and facet-directed care a week ago: same plan.
    "frankie.moreno@patients.demo.annulus.test": Profile(
        "answers", {"baseline": {"odi": 36, "nrs-back": 6, "nrs-leg": 3, "rmdq": 11}}
    ),
    "jules.abernathy@patients.demo.annulus.test": Profile(
        "stops half-way", {"baseline": {"partial": True, "odi": 62, "nrs-back": 8}}
    ),
    "harper.nakamura@patients.demo.annulus.test": Profile("never answers"),
}
DRIFTS_AWAY = Profile(
    "drifts away",
    {
        "baseline": {"odi": 44, "nrs-back": 7, "nrs-leg": 3, "rmdq": 14},
        "week-2": {"nrs-back": 7, "nrs-leg": 3, "pgic": 4},
    },
)


@transaction.atomic
def seed_outcomes(clinic: Any, today: date) -> list[FollowUp]:
    """Enrol and fill in follow-up for the clinic's demo patients who have a treatment date."""
    seeded = []
    for patient in Patient.objects.in_clinic(clinic).select_related("clinic").order_by("id"):
        existing = FollowUp.objects.filter(patient=patient).first()
        if existing is not None:
            seeded.append(existing)
            continue
        anchor = actions.find_anchor(patient)
        if anchor is None:
            continue
        enrolled_at = _at(clinic, anchor.treatment_date - timedelta(days=28), time(10))
        follow_up = actions.enrol(patient, now=enrolled_at)
        profile = PROFILES.get(patient.email, DRIFTS_AWAY)
        now = _at(clinic, today, time(8))
        for invitation in follow_up.invitations.order_by("position"):
            _play(invitation, profile, now)
        seeded.append(follow_up)
    return seeded


def _at(clinic: Any, day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=clinic.zone)


def _play(invitation: Invitation, profile: Profile, now: datetime) -> None:
    """Give a time point its fate, if its answer day (or its window) is in the past."""
    clinic = invitation.follow_up.patient.clinic
    fate = profile.fates.get(invitation.code, profile.default)
    invited = _at(clinic, invitation.opens, time(9))
    if invited > now:
        return  # not open yet
    answered = _at(clinic, invitation.opens + timedelta(days=profile.answer_day), time(19, 30))
    answered = min(answered, invitation.expires_at - timedelta(hours=1))
    if fate.get("missed"):
        if invitation.expires_at > now:
            return  # still open: the worker sends it
        _send(invitation, LinkPurpose.INVITATION, invited)
        for n, day in enumerate(reminder_days(invitation), start=1):
            purpose = LinkPurpose.REMINDER_1 if n == 1 else LinkPurpose.REMINDER_2
            _send(invitation, purpose, _at(clinic, day, time(9)))
        invitation.status = InvitationStatus.MISSED
        invitation.reminders_sent = len(reminder_days(invitation))
        invitation.save()
        return
    if answered > now:
        return  # answered later than today: leave it to the worker and the patient
    _send(invitation, LinkPurpose.INVITATION, invited)
    invitation.sent_at = invited
    _answer(invitation, fate, answered)


def _send(invitation: Invitation, purpose: str, at: datetime) -> None:
    """A link and its (already delivered) email, as the timers would have left them."""
    patient = invitation.follow_up.patient
    link = SurveyLink.objects.create(
        invitation=invitation,
        token_hash=token_hash(secrets.token_urlsafe(32)),
        purpose=purpose,
        created_at=at,
    )
    if patient.email:
        link.email = OutboundEmail.objects.create(
            clinic=patient.clinic,
            patient_id=patient.pk,
            kind="outcomes.survey.reminder"
            if "reminder" in purpose
            else "outcomes.survey.invitation",
            to=patient.email,
            subject=f"Your questionnaire from {patient.clinic.name}"[:200],
            body_text=f"Open your questionnaire:\nhttp://127.0.0.1:8000/survey/{REDACTED}/\n",
            status=Status.SENT,
            attempts=1,
            created_at=at,
            sent_at=at,
            dedupe_key=f"outcomes.link:{link.pk}",
        )
        link.save(update_fields=["email"])
    invitation.sent_at = invitation.sent_at or at
    if invitation.status == InvitationStatus.SCHEDULED:
        invitation.status = InvitationStatus.SENT
    invitation.save()


def answers_for(instrument_id: str, target: float) -> dict[str, int]:
    """Answers whose score is ``target`` under the instrument's rule."""
    items = library.shipped(instrument_id).items
    if instrument_id == "odi":
        total = round(target / 2)  # index = sum / 50 x 100 with all ten sections answered
        return {item.id: total // 10 + (1 if i < total % 10 else 0) for i, item in enumerate(items)}
    if instrument_id == "rmdq":
        return {item.id: 1 if i < target else 0 for i, item in enumerate(items)}
    return {items[0].id: int(target)}


def _answer(invitation: Invitation, fate: Fate, at: datetime) -> None:
    partial = bool(fate.get("partial"))
    response = Response.objects.create(invitation=invitation, started_at=at, last_page=1)
    for instrument_id in invitation.instruments:
        if instrument_id not in fate:
            continue
        answers = answers_for(instrument_id, fate[instrument_id])
        if partial and instrument_id == "odi":
            answers = dict(list(answers.items())[:4])  # stopped after four sections
        instrument, sha = library.instrument_in_use(instrument_id)
        InstrumentResponse.objects.create(
            response=response,
            instrument_id=instrument_id,
            instrument_version=instrument.version,
            instrument_sha256=sha,
            answers=answers,
            answered=len(answers),
            expected=len(instrument.items),
        )
    complete = actions.score_all(response, invitation, at)
    if partial:
        response.closed_at = invitation.expires_at
        response.partial = True
        invitation.status = InvitationStatus.PARTIAL
    else:
        response.submitted_at, response.partial = at, not complete
        invitation.status = InvitationStatus.COMPLETED if complete else InvitationStatus.PARTIAL
        invitation.completed_at = at if complete else None
    response.save()
    Response.objects.filter(pk=response.pk).update(updated_at=at)
    invitation.save()
    time_point_scores.refresh([invitation.pk])
