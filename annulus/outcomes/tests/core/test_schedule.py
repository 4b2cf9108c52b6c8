"""Follow-up plans: windows on the calendar, plan validation, and re-planning invitations."""

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from annulus.outcomes import schedule
from annulus.outcomes.schedule import (
    REPLANNABLE_STATUSES,
    STANDARD_PLAN,
    FollowUpPlan,
    Invitation,
    plan_time_points,
    replan,
)

TREATMENT = date(2025, 3, 10)
treatment_dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))
STATUSES = ["scheduled", "sent", "partial", "completed", "missed", "cancelled"]


def invitations_for(day: date, statuses: dict[str, Any]) -> list[Invitation]:
    return [
        Invitation(tp.code, statuses[tp.code], tp.opens, tp.due, tp.closes)
        for tp in plan_time_points(STANDARD_PLAN, day)
        if tp.code in statuses
    ]


def test_it_exports_its_public_names() -> None:
    assert sorted(schedule.__all__) == sorted(
        [
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
    )


# ---- the standard plan (clinical-reference §5.5) -----------------------------------------------


def test_it_follows_the_suggested_clinic_schedule() -> None:
    points = plan_time_points(STANDARD_PLAN, TREATMENT)
    assert [(tp.code, (tp.due - TREATMENT).days) for tp in points] == [
        ("baseline", -7),
        ("week-2", 14),
        ("week-6", 42),
        ("month-3", 91),
        ("month-6", 182),
        ("month-12", 365),
        ("month-24", 730),
        ("month-36", 1096),
        ("month-48", 1461),
        ("month-60", 1826),
    ]
    assert [tp.label for tp in points][:3] == ["Baseline", "2-week safety check", "6 weeks"]


def test_it_takes_baseline_within_30_days_before_treatment() -> None:
    baseline = plan_time_points(STANDARD_PLAN, TREATMENT)[0]
    assert (baseline.opens, baseline.closes) == (TREATMENT - timedelta(days=30), TREATMENT)


def test_it_sizes_windows_as_section_5_5_suggests() -> None:
    half_widths = {
        tp.code: ((tp.due - tp.opens).days, (tp.closes - tp.due).days)
        for tp in plan_time_points(STANDARD_PLAN, TREATMENT)[2:]
    }
    assert half_widths == {
        "week-6": (14, 14),  # +/-2 weeks up to 3 months
        "month-3": (14, 14),
        "month-6": (30, 30),  # +/-1 month at 6-12 months
        "month-12": (30, 30),
        "month-24": (61, 61),  # +/-2 months from 24 months
        "month-36": (61, 61),
        "month-48": (61, 61),
        "month-60": (61, 61),
    }


@given(treatment_dates)
def test_it_places_ordered_non_overlapping_windows_around_each_due_date(day: date) -> None:
    points = plan_time_points(STANDARD_PLAN, day)
    assert all(tp.opens <= tp.due <= tp.closes for tp in points)
    assert all(a.closes < b.opens for a, b in pairwise(points))
    assert points[0].closes <= day < points[1].opens


@given(treatment_dates, st.integers(-400, 400))
def test_it_moves_every_date_with_the_treatment_date(day: date, shift: int) -> None:
    moved = plan_time_points(STANDARD_PLAN, day + timedelta(days=shift))
    for a, b in zip(plan_time_points(STANDARD_PLAN, day), moved, strict=True):
        assert (b.opens - a.opens, b.due - a.due, b.closes - a.closes) == (
            timedelta(days=shift),
        ) * 3


def test_it_refuses_a_datetime_for_the_treatment_date() -> None:
    with pytest.raises(TypeError, match=r"must be a datetime\.date"):
        plan_time_points(STANDARD_PLAN, datetime(2025, 3, 10, 9, 0, tzinfo=UTC))
    with pytest.raises(TypeError):
        plan_time_points(STANDARD_PLAN, "2025-03-10")  # type: ignore[arg-type]


# ---- plan validation ---------------------------------------------------------------------------


def plan(*windows: tuple[int, int, int], codes: list[str] | None = None) -> FollowUpPlan:
    names = codes or [f"p{n}" for n in range(len(windows))]
    return FollowUpPlan(
        id="test",
        version=1,
        points=tuple(
            {"code": code, "label": code, "opens": o, "due": d, "closes": c}
            for code, (o, d, c) in zip(names, windows, strict=True)
        ),
    )


def test_it_refuses_overlapping_inverted_and_repeated_points() -> None:
    with pytest.raises(ValidationError) as caught:
        plan((0, 5, 10), (10, 12, 14), (20, 19, 25), (30, 31, 32), codes=["a", "b", "c", "a"])
    message = str(caught.value)
    assert "points[1] (b): window opens on day 10, not after a closes on day 10" in message
    assert "points[2] (c): needs opens <= due <= closes, got 20 / 19 / 25" in message
    assert "points[3] (a): code is used twice" in message


triples = st.tuples(st.integers(-50, 50), st.integers(-50, 50), st.integers(-50, 50))


@given(st.lists(triples, min_size=1, max_size=5))
def test_it_accepts_a_plan_exactly_when_its_windows_are_in_order(
    windows: list[tuple[int, int, int]],
) -> None:
    in_order = all(o <= d <= c for o, d, c in windows) and all(
        a[2] < b[0] for a, b in pairwise(windows)
    )
    try:
        built = plan(*windows)
    except ValidationError:
        built = None
    assert (built is not None) == in_order


# ---- re-planning -------------------------------------------------------------------------------


def test_it_replans_pending_invitations_and_keeps_completed_ones() -> None:
    existing = invitations_for(
        TREATMENT,
        {"baseline": "completed", "week-2": "scheduled", "week-6": "sent", "month-3": "missed"},
    )
    later = TREATMENT + timedelta(days=21)
    result = replan(STANDARD_PLAN, existing, later)
    assert [m.before.code for m in result.moved] == ["week-2", "week-6", "month-3"]
    assert all(m.after.due - m.before.due == timedelta(days=21) for m in result.moved)
    assert result.kept == ("baseline",)
    assert [tp.code for tp in result.added] == [
        "month-6",
        "month-12",
        "month-24",
        "month-36",
        "month-48",
        "month-60",
    ]
    assert result.unchanged == result.withdrawn == result.kept_outside_window == ()


def test_it_flags_a_kept_baseline_that_falls_outside_the_new_window() -> None:
    answered = Invitation(
        "baseline",
        "completed",
        TREATMENT - timedelta(days=30),
        TREATMENT - timedelta(days=7),
        TREATMENT,
        answered_on=TREATMENT - timedelta(days=10),
    )
    assert replan(STANDARD_PLAN, [answered], TREATMENT).kept_outside_window == ()
    moved = replan(STANDARD_PLAN, [answered], TREATMENT + timedelta(days=25))
    assert (moved.kept, moved.kept_outside_window, moved.moved) == (
        ("baseline",),
        ("baseline",),
        (),
    )


def test_it_leaves_unchanged_dates_alone_and_withdraws_codes_the_plan_dropped() -> None:
    short = FollowUpPlan(
        id="short", version=2, points=(STANDARD_PLAN.points[0], STANDARD_PLAN.points[1])
    )
    existing = invitations_for(
        TREATMENT, {"baseline": "sent", "week-6": "scheduled", "month-3": "partial"}
    )
    result = replan(short, existing, TREATMENT)
    assert result.unchanged == ("baseline",)
    assert result.withdrawn == ("week-6",)
    assert result.kept == ("month-3",)  # a partial response is the patient's work: not touched
    assert [tp.code for tp in result.added] == ["week-2"]


def test_it_refuses_duplicate_invitations_and_unknown_statuses() -> None:
    one = invitations_for(TREATMENT, {"week-2": "sent"})[0]
    with pytest.raises(ValueError, match="more than one invitation for week-2"):
        replan(STANDARD_PLAN, [one, one], TREATMENT)
    odd = Invitation("week-2", "opened", one.opens, one.due, one.closes)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="week-2: unknown status 'opened'"):
        replan(STANDARD_PLAN, [odd], TREATMENT)


@given(
    treatment_dates,
    st.integers(-60, 60),
    st.lists(st.sampled_from(STATUSES), min_size=10, max_size=10),
)
def test_it_moves_exactly_the_pending_invitations_by_the_date_change(
    day: date, shift: int, statuses: list[str]
) -> None:
    codes = [p.code for p in STANDARD_PLAN.points]
    existing = invitations_for(day, dict(zip(codes, statuses, strict=True)))
    result = replan(STANDARD_PLAN, existing, day + timedelta(days=shift))
    pending = [i.code for i in existing if i.status in REPLANNABLE_STATUSES]
    settled = [i.code for i in existing if i.status not in REPLANNABLE_STATUSES]
    assert list(result.kept) == settled
    assert [m.before.code for m in result.moved] == (pending if shift else [])
    assert list(result.unchanged) == ([] if shift else pending)
    assert all((m.after.due - m.before.due).days == shift for m in result.moved)
    assert (result.added, result.withdrawn) == ((), ())
