"""Follow-up plans: time points relative to the treatment date, each with a window, and re-planning.

A plan is data (``FollowUpPlan``): each ``PlanPoint`` gives, in whole days relative to the treatment
date, when its window opens, when the answer is due and when the window closes (both ends
inclusive). Whole days keep the check exact: a plan is refused when any window is inverted or
overlaps the next one, so every treatment date yields ordered, non-overlapping windows. Patients
referred to other treatments (fusion, conservative care) are followed on the same plan, anchored on
their treatment date, so the arms can be compared.

``STANDARD_PLAN`` follows the clinic schedule suggested in clinical-reference §5.5 (derived from
ICHOM, SPORT, Swespine, the MRC trial and the fibrin trials): baseline ≤ 30 days before treatment, a
2-week safety check, 6 weeks, 3, 6, 12 and 24 months, then yearly to 5 years; windows ±2 weeks up
to 3 months, ±1 month at 6-12 months, ±2 months from 24 months (all ``(param)`` in §5.5).
Our choices where §5.5 is silent or would not work:

- months are whole days: 3 months = 91 days (13 weeks), 6 months = 182 days (26 weeks, the
  NCT01011816 primary end point, §1.3), 12 months = 365 days, then 365.25 days a year, rounded;
  ±1 month = ±30 days, ±2 months = ±61 days;
- baseline opens 30 days before treatment, is due 7 days before (time for two reminders) and closes
  on the treatment day itself (answers must precede the procedure; the survey layer enforces that);
- the 2-week safety check has a ±7-day window (days 7-21), not ±2 weeks: ±2 weeks would open on
  the treatment day, overlapping baseline, and touch the 6-week window.

``plan_time_points`` turns a plan into dates; ``replan`` recomputes invitations after the treatment
date or the plan changes. Only invitations without a response are re-planned; completed (and
partial, and cancelled) ones are kept untouched.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints, model_validator

__all__ = [
    "INVITATION_STATUSES",
    "REPLANNABLE_STATUSES",
    "STANDARD_PLAN",
    "FollowUpPlan",
    "Invitation",
    "InvitationStatus",
    "Move",
    "PlanPoint",
    "Replan",
    "TimePoint",
    "plan_time_points",
    "replan",
]

InvitationStatus: TypeAlias = Literal[
    "scheduled", "sent", "partial", "completed", "missed", "cancelled"
]
INVITATION_STATUSES: frozenset[str] = frozenset(
    {"scheduled", "sent", "partial", "completed", "missed", "cancelled"}
)
# No response exists for these, so their dates follow the plan. "missed" is included because a
# later treatment date can reopen a window that had closed. A partial response is the patient's
# work and keeps its window; a cancellation is a staff decision.
REPLANNABLE_STATUSES: frozenset[str] = frozenset({"scheduled", "sent", "missed"})

Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=64)]


class PlanPoint(BaseModel):
    """One time point: days relative to the treatment date (negative = before)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Code
    label: Annotated[str, StringConstraints(pattern=r"\S", max_length=200)]
    opens: StrictInt
    due: StrictInt
    closes: StrictInt


class FollowUpPlan(BaseModel):
    """Time points in order, with windows that neither invert nor overlap."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Code
    version: StrictInt = Field(ge=1)
    points: tuple[PlanPoint, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _windows_are_ordered(self) -> "FollowUpPlan":
        problems = []
        seen: set[str] = set()
        for i, point in enumerate(self.points):
            where = f"points[{i}] ({point.code})"
            if point.code in seen:
                problems.append(f"{where}: code is used twice")
            seen.add(point.code)
            if not point.opens <= point.due <= point.closes:
                problems.append(
                    f"{where}: needs opens <= due <= closes, got "
                    f"{point.opens} / {point.due} / {point.closes}"
                )
            if i and point.opens <= self.points[i - 1].closes:
                problems.append(
                    f"{where}: window opens on day {point.opens}, not after "
                    f"{self.points[i - 1].code} closes on day {self.points[i - 1].closes}"
                )
        if problems:
            raise ValueError("\n".join(problems))
        return self


def _point(code: str, label: str, due: int, before: int, after: int) -> PlanPoint:
    return PlanPoint(code=code, label=label, opens=due - before, due=due, closes=due + after)


STANDARD_PLAN = FollowUpPlan(
    id="standard",
    version=1,
    points=(
        PlanPoint(code="baseline", label="Baseline", opens=-30, due=-7, closes=0),
        _point("week-2", "2-week safety check", 14, 7, 7),
        _point("week-6", "6 weeks", 42, 14, 14),
        _point("month-3", "3 months", 91, 14, 14),
        _point("month-6", "6 months", 182, 30, 30),
        _point("month-12", "12 months", 365, 30, 30),
        _point("month-24", "2 years", 730, 61, 61),
        _point("month-36", "3 years", 1096, 61, 61),
        _point("month-48", "4 years", 1461, 61, 61),
        _point("month-60", "5 years", 1826, 61, 61),
    ),
)


@dataclass(frozen=True)
class TimePoint:
    """A plan point placed on the calendar; ``opens`` and ``closes`` are both inclusive."""

    code: str
    label: str
    due: date
    opens: date
    closes: date

    def contains(self, day: date) -> bool:
        return self.opens <= day <= self.closes


def plan_time_points(plan: FollowUpPlan, treatment_date: date) -> list[TimePoint]:
    """The plan's time points as dates for a treatment on ``treatment_date``."""
    if isinstance(treatment_date, datetime) or not isinstance(treatment_date, date):
        # A datetime is a date subclass; taking its date part would hide a time-zone question.
        raise TypeError(f"treatment_date must be a datetime.date, got {treatment_date!r}")
    return [
        TimePoint(
            code=point.code,
            label=point.label,
            due=treatment_date + timedelta(days=point.due),
            opens=treatment_date + timedelta(days=point.opens),
            closes=treatment_date + timedelta(days=point.closes),
        )
        for point in plan.points
    ]


@dataclass(frozen=True)
class Invitation:
    """An existing invitation as the app stores it. ``answered_on``: date of the last answer."""

    code: str
    status: InvitationStatus
    opens: date
    due: date
    closes: date
    answered_on: date | None = None


@dataclass(frozen=True)
class Move:
    """A re-plannable invitation whose dates change."""

    before: Invitation
    after: TimePoint


@dataclass(frozen=True)
class Replan:
    """What to do with existing invitations after the treatment date or the plan changed."""

    moved: tuple[Move, ...]
    unchanged: tuple[str, ...]  # re-plannable, same dates
    kept: tuple[str, ...]  # completed, partial or cancelled: not touched
    kept_outside_window: tuple[str, ...]  # kept codes answered outside their new window
    added: tuple[TimePoint, ...]  # time points that have no invitation yet
    withdrawn: tuple[str, ...]  # re-plannable invitations whose code left the plan


def replan(plan: FollowUpPlan, invitations: Sequence[Invitation], treatment_date: date) -> Replan:
    """Recompute ``invitations`` for ``plan`` anchored on ``treatment_date``.

    Invitations without a response (``REPLANNABLE_STATUSES``) take the new dates; the others are
    kept untouched. A kept answer that no longer falls in its new window (e.g. a baseline answered
    more than 30 days before the new treatment date) is listed in ``kept_outside_window`` for staff
    to review; it is never discarded.
    """
    points = {tp.code: tp for tp in plan_time_points(plan, treatment_date)}
    existing = {invitation.code for invitation in invitations}
    codes = [invitation.code for invitation in invitations]
    repeated = sorted({code for code in codes if codes.count(code) > 1})
    if repeated:
        raise ValueError(f"invitations: more than one invitation for {', '.join(repeated)}")
    moved: list[Move] = []
    unchanged: list[str] = []
    kept: list[str] = []
    outside: list[str] = []
    withdrawn: list[str] = []
    for invitation in invitations:
        if invitation.status not in INVITATION_STATUSES:
            raise ValueError(
                f"invitations: {invitation.code}: unknown status {invitation.status!r}"
            )
        new = points.get(invitation.code)
        if invitation.status not in REPLANNABLE_STATUSES:
            kept.append(invitation.code)
            answered = invitation.answered_on
            if new is not None and answered is not None and not new.contains(answered):
                outside.append(invitation.code)
        elif new is None:
            withdrawn.append(invitation.code)
        elif (invitation.opens, invitation.due, invitation.closes) == (
            new.opens,
            new.due,
            new.closes,
        ):
            unchanged.append(invitation.code)
        else:
            moved.append(Move(before=invitation, after=new))
    return Replan(
        moved=tuple(moved),
        unchanged=tuple(unchanged),
        kept=tuple(kept),
        kept_outside_window=tuple(outside),
        added=tuple(tp for code, tp in points.items() if code not in existing),
        withdrawn=tuple(withdrawn),
    )
