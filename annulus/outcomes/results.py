"""What staff see: each time point's state, scores over time, responder status, completion rates.

Read-only queries over the outcomes models; responder status is computed from the stored scores
with the pure ``responders`` rules each time, so a page never shows a stale classification.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Prefetch

from annulus.clinical.models import AdverseEvent, AlternativeReferral, FibrinProcedure
from annulus.outcomes import clinic_counts
from annulus.outcomes.actions import local_day
from annulus.outcomes.models import (
    FollowUp,
    FollowUpStatus,
    InstrumentResponse,
    Invitation,
    InvitationStatus,
    Response,
    SurveyLink,
)
from annulus.outcomes.responders import (
    NRS_RULE,
    ODI_RULE,
    RMDQ_RULE,
    ChangeRule,
    Composite,
    classify_change,
    composite_response,
)
from annulus.outcomes.responders import Response as Change


@dataclass(frozen=True)
class Measure:
    instrument_id: str
    title: str
    axis: str
    low: float
    high: float
    rule: ChangeRule | None
    note: str


# Lower is better on every charted measure. MCIDs: clinical-reference §4.9 (Ostelo 2008 [P7]).
MEASURES: dict[str, Measure] = {
    "odi": Measure(
        "odi", "Disability (ODI)", "ODI %", 0, 100, ODI_RULE, "10 points or 30 % of baseline"
    ),
    "nrs-back": Measure(
        "nrs-back", "Low back pain (NRS)", "NRS 0-10", 0, 10, NRS_RULE, "2 points or 30 %"
    ),
    "nrs-leg": Measure(
        "nrs-leg", "Leg pain (NRS)", "NRS 0-10", 0, 10, NRS_RULE, "2 points or 30 %"
    ),
    "rmdq": Measure("rmdq", "Disability (RMDQ)", "RMDQ 0-24", 0, 24, RMDQ_RULE, "5 points or 30 %"),
    "peg": Measure("peg", "Pain and interference (PEG)", "PEG 0-10", 0, 10, None, "none set"),
}

# What staff see for a time point. "due": window open, not yet at the due day; "overdue": past
# the due day, window still open.
STATE_LABELS = {
    "upcoming": "Upcoming",
    "due": "Due",
    "overdue": "Overdue",
    "in-progress": "In progress",
    "partial": "Partial",
    "completed": "Completed",
    "missed": "Missed",
    "cancelled": "Not asked",
}


def display_state(invitation: Invitation, response: Response | None, now: datetime) -> str:
    status = invitation.status
    if status == InvitationStatus.COMPLETED:
        return "completed"
    if status == InvitationStatus.CANCELLED:
        return "cancelled"
    if status == InvitationStatus.MISSED:
        return "missed"
    window_closed = now >= invitation.expires_at
    if status == InvitationStatus.PARTIAL:
        finished = response is not None and response.finished
        return "partial" if finished or window_closed else "in-progress"
    if window_closed:
        return "missed"  # the closing timer has not run yet; the outcome is the same
    today = local_day(invitation.follow_up.patient.clinic, now)
    if today < invitation.opens:
        return "upcoming"
    return "due" if today <= invitation.due else "overdue"


@dataclass
class TimePointRow:
    invitation: Invitation
    state: str
    response: Response | None
    scores: dict[str, InstrumentResponse]
    links: list[SurveyLink]
    can_reissue: bool

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def latest_link(self) -> SurveyLink | None:
        return self.links[-1] if self.links else None


def _invitations(follow_up: FollowUp) -> list[Invitation]:
    return list(
        follow_up.invitations.select_related("follow_up__patient__clinic")
        .prefetch_related(
            Prefetch("links", queryset=SurveyLink.objects.select_related("email")),
        )
        .order_by("position")
    )


def _responses(invitations: list[Invitation]) -> dict[int, Response]:
    responses = Response.objects.filter(invitation__in=invitations).prefetch_related("instruments")
    return {r.invitation_id: r for r in responses}


def time_point_rows(follow_up: FollowUp, now: datetime) -> list[TimePointRow]:
    invitations = _invitations(follow_up)
    responses = _responses(invitations)
    rows = []
    for invitation in invitations:
        response = responses.get(invitation.pk)
        state = display_state(invitation, response, now)
        rows.append(
            TimePointRow(
                invitation=invitation,
                state=state,
                response=response,
                scores={p.instrument_id: p for p in response.instruments.all()} if response else {},
                links=list(invitation.links.all()),
                can_reissue=follow_up.status == FollowUpStatus.ACTIVE
                and state in ("due", "overdue", "in-progress"),
            )
        )
    return rows


def answered_on(row: TimePointRow) -> date | None:
    response = row.response
    if response is None or row.state not in ("completed", "partial", "in-progress"):
        return None
    moment = response.submitted_at or response.closed_at or response.updated_at
    return local_day(row.invitation.follow_up.patient.clinic, moment)


@dataclass(frozen=True)
class Point:
    code: str
    label: str
    day: int  # days after the treatment date (negative: before)
    value: float


@dataclass
class Trajectory:
    measure: Measure
    points: list[Point]
    missed_days: list[int]  # due days of time points with no answer
    baseline: float | None = None

    @property
    def has_data(self) -> bool:
        return bool(self.points)


def trajectories(follow_up: FollowUp, rows: list[TimePointRow]) -> list[Trajectory]:
    """One trajectory per measure the patient was asked, scored answers only."""
    found: dict[str, Trajectory] = {}
    for instrument_id, measure in MEASURES.items():
        asked = [r for r in rows if instrument_id in r.invitation.instruments]
        if not asked:
            continue
        trajectory = Trajectory(measure, [], [])
        for row in asked:
            part = row.scores.get(instrument_id)
            day = answered_on(row)
            if part is not None and part.score is not None and day is not None:
                offset = (day - follow_up.treatment_date).days
                trajectory.points.append(
                    Point(row.invitation.code, row.invitation.label, offset, part.score)
                )
                if row.invitation.code == "baseline":
                    trajectory.baseline = part.score
            elif row.state == "missed":
                trajectory.missed_days.append((row.invitation.due - follow_up.treatment_date).days)
        found[instrument_id] = trajectory
    return list(found.values())


@dataclass
class ResponderRow:
    code: str
    label: str
    changes: dict[str, Change] = field(default_factory=dict)
    composite: Composite | None = None


def _score(row: TimePointRow | None, instrument_id: str) -> float | None:
    if row is None or row.state not in ("completed", "partial"):
        return None
    part = row.scores.get(instrument_id)
    return None if part is None else part.score


def _clinical_facts(follow_up: FollowUp) -> dict[str, bool | None]:
    """What the clinical record says after treatment. No record is "not known", never "no"."""
    after = {"patient_id": follow_up.patient_id}
    start = follow_up.treatment_date
    repeat = FibrinProcedure.objects.filter(**after, performed_on__gt=start).exists()
    surgery = AlternativeReferral.objects.filter(
        **after, referred_on__gt=start, alternative__in=("fusion", "spine_surgery_consult")
    ).exists()
    serious = AdverseEvent.objects.filter(**after, onset_on__gte=start, serious=True).exists()
    return {
        "secondary_intervention_at_level": True if repeat or surgery else None,
        "serious_adverse_event": True if serious else None,
        "neurological_status_maintained": None,
    }


# The composite is read at the 26-week end point of NCT01011816 and later (clinical-reference §1.3).
COMPOSITE_FROM = ("month-6", "month-12", "month-24", "month-36", "month-48", "month-60")


def responder_rows(follow_up: FollowUp, rows: list[TimePointRow]) -> list[ResponderRow]:
    """Change against baseline at each answered follow-up time point."""
    baseline = next((r for r in rows if r.invitation.code == "baseline"), None)
    facts = _clinical_facts(follow_up)
    result = []
    for row in rows:
        if row is baseline or row.state not in ("completed", "partial"):
            continue
        out = ResponderRow(row.invitation.code, row.invitation.label)
        for instrument_id, rule in (("odi", ODI_RULE), ("nrs-back", NRS_RULE), ("rmdq", RMDQ_RULE)):
            if instrument_id in row.invitation.instruments:
                out.changes[instrument_id] = classify_change(
                    rule, _score(baseline, instrument_id), _score(row, instrument_id)
                )
        if row.invitation.code in COMPOSITE_FROM:
            use_rmdq = _score(baseline, "rmdq") is not None and _score(row, "rmdq") is not None
            function = "rmdq" if use_rmdq else "odi"
            out.composite = composite_response(
                pain_baseline=_score(baseline, "nrs-back"),
                pain_follow_up=_score(row, "nrs-back"),
                function_baseline=_score(baseline, function),
                function_follow_up=_score(row, function),
                function_measure=function,  # type: ignore[arg-type]
                **facts,  # type: ignore[arg-type]
            )
        result.append(out)
    return result


def lost_to_follow_up(rows: list[TimePointRow]) -> bool:
    """The two latest closed time points were both missed: the registries' early warning."""
    closed = [r.state for r in rows if r.state in ("completed", "partial", "missed")]
    return len(closed) >= 2 and closed[-1] == closed[-2] == "missed"


# ---- the clinic ------------------------------------------------------------------------------


@dataclass
class CompletionRow:
    code: str
    label: str
    completed: int = 0
    partial: int = 0
    missed: int = 0
    open_now: int = 0
    upcoming: int = 0
    not_asked: int = 0

    @property
    def closed(self) -> int:
        return self.completed + self.partial + self.missed

    @property
    def rate(self) -> float | None:
        return None if not self.closed else 100 * self.completed / self.closed

    @property
    def any_answer_rate(self) -> float | None:
        return None if not self.closed else 100 * (self.completed + self.partial) / self.closed


def completion_by_time_point(
    follow_ups: Any, now: datetime, *, arm: str | None = None, today: date | None = None
) -> list[CompletionRow]:
    """Per time point: completed, partial and missed among windows that have closed (or were
    answered), and how many are open now or still to come. Counted in SQL (``clinic_counts``).

    The rate's denominator is every closed window the patient was asked in. Time points never
    asked (the window closed before enrolment, or follow-up was stopped) are counted apart as
    "not asked" and shown beside the rate, so it is never flattered silently.
    """
    queryset = Invitation.objects.filter(follow_up__in=follow_ups)
    if arm:
        queryset = queryset.filter(follow_up__arm=arm)
    day = today if today is not None else _today(follow_ups, now)
    return [
        CompletionRow(
            row["code"],
            row["label"],
            row["completed"],
            row["partial"],
            row["missed"],
            row["open_now"],
            row["upcoming"],
            row["not_asked"],
        )
        for row in clinic_counts.completion_counts(queryset, now, day)
    ]


def _today(follow_ups: Any, now: datetime) -> date:
    first = FollowUp.objects.filter(pk__in=follow_ups).select_related("patient__clinic").first()
    return local_day(first.patient.clinic, now) if first else now.date()


@dataclass
class DueRow:
    invitation: Invitation
    state: str

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


def due_rows(invitations: list[Invitation], now: datetime) -> list[DueRow]:
    """``DueRow``s of invitations from ``clinic_counts.open_now_page`` (responses prefetched)."""
    return [
        DueRow(invitation, display_state(invitation, getattr(invitation, "response", None), now))
        for invitation in invitations
    ]


def open_now(
    follow_ups: Any, now: datetime, *, today: date | None = None, limit: int | None = None
) -> list[DueRow]:
    """Time points whose window is open and that are not finished, overdue first (in SQL; only
    the first ``limit`` are loaded)."""
    day = today if today is not None else _today(follow_ups, now)
    shown, _ = clinic_counts.open_now_page(
        Invitation.objects.filter(follow_up__in=follow_ups), now, day, limit
    )
    return due_rows(shown, now)
