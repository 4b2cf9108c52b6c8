"""Small fixed cohorts for report tests: follow-ups with chosen scores, written directly."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from annulus.outcomes import follow_up_summary, time_point_scores
from annulus.outcomes.models import FollowUp, InstrumentResponse, Invitation, Response
from annulus.outcomes.schedule import STANDARD_PLAN, plan_time_points
from annulus.patients.models import Patient

_n = iter(range(1, 10**6))


def enrol(
    clinic: Any,
    arm: str,
    treated: date,
    today: date,
    scores: dict[str, dict[str, float]],
    **patient: Any,
) -> FollowUp:
    """A patient in ``arm`` treated on ``treated`` who answered the time points in ``scores``;
    every other closed time point is missed."""
    person = Patient.objects.create(
        clinic=clinic, first_name="Test", last_name=f"Cohort{next(_n)}", **patient
    )
    follow_up = FollowUp.objects.create(
        patient=person, plan_id="standard", plan_version=1, arm=arm,
        anchor="procedure", treatment_date=treated,
    )  # fmt: skip
    for position, point in enumerate(plan_time_points(STANDARD_PLAN, treated)):
        answered = point.code in scores
        closed = point.closes < today
        status = "completed" if answered else ("missed" if closed else "scheduled")
        at = datetime.combine(point.opens, time(12), tzinfo=UTC)
        invitation = Invitation.objects.create(
            follow_up=follow_up, code=point.code, label=point.label, position=position,
            opens=point.opens, due=point.due, closes=point.closes,
            expires_at=datetime.combine(point.closes + timedelta(days=1), time(0), tzinfo=UTC),
            status=status, instruments=["odi", "nrs-back", "rmdq"],
            completed_at=at if answered else None,
        )  # fmt: skip
        if answered:
            response = Response.objects.create(
                invitation=invitation, submitted_at=at, partial=False
            )
            for instrument, score in scores[point.code].items():
                InstrumentResponse.objects.create(
                    response=response, instrument_id=instrument, instrument_version="1",
                    instrument_sha256="0" * 64, expected=1, answered=1, score=score,
                    scored_at=at,
                )  # fmt: skip
            # Written directly, so the score pivot the scoring actions keep is rebuilt here.
            time_point_scores.refresh([invitation.pk])
    # And the report's summary, which the enrolment action keeps.
    follow_up_summary.refresh_follow_ups([follow_up.pk])
    return follow_up
