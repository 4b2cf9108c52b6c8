"""The clinic page's counts in SQL: a few queries whatever the number of invitations.

Each invitation's state follows ``results.display_state`` exactly, written as conditions on its
status, window and response, so the database classifies and counts instead of Python loading
every invitation (a million of them at 100,000 patients). Only a partial answer whose window is
still open needs its response, so the responses are joined to those few rows alone, never to
every invitation; the indexes these queries read are on ``Invitation`` (migration 0004):

- completed: status completed; not asked: cancelled;
- missed: status missed, or scheduled/sent with the window closed (the timer has not run yet);
- partial: status partial and either the response is finished or the window closed;
- in progress: status partial, window open, response not finished;
- upcoming: scheduled/sent, window open, before the opening day; due/overdue: on or after it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    IntegerField,
    Max,
    Min,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL

from annulus.outcomes.models import FollowUpStatus, Invitation

WAITING = ("scheduled", "sent")


# A response is finished once submitted or closed with its window.
FINISHED = Q(response__submitted_at__isnull=False) | Q(response__closed_at__isnull=False)


def _in_progress(now: datetime) -> Q:
    """Partial, window open, response not finished (or none): a LEFT JOIN to the responses."""
    return Q(
        status="partial",
        expires_at__gt=now,
        response__submitted_at__isnull=True,
        response__closed_at__isnull=True,
    )


def _bucket(status: str, closed: bool, opened: bool) -> str:
    """The column of an invitation that is not partial with its window open (see the module)."""
    if status == "completed":
        return "completed"
    if status == "cancelled":
        return "not_asked"
    if status == "missed" or closed:
        return "partial" if status == "partial" else "missed"
    return "open_now" if opened else "upcoming"


COLUMNS = ("completed", "partial", "missed", "open_now", "upcoming", "not_asked")


def completion_counts(
    invitations: QuerySet[Invitation], now: datetime, today: date
) -> list[dict[str, Any]]:
    """Per time point code, in plan order: how many invitations are in each state.

    Two queries. The first groups every invitation by code, status, "window closed" and "window
    opened" (one count per group, about 60 groups) without touching the responses: joining a
    million invitations to half a million responses was half of the page's cost at 100,000
    patients, and only a partial answer whose window is still open needs its response. The
    second counts those few (the partial-status index) split by finished or not.
    """
    groups = (
        invitations.values(
            "code",
            "status",
            closed=ExpressionWrapper(Q(expires_at__lte=now), output_field=BooleanField()),
            opened=ExpressionWrapper(Q(opens__lte=today), output_field=BooleanField()),
        )
        .annotate(n=Count("id"), label=Max("label"), position=Min("position"))
        .order_by()
    )
    rows: dict[str, dict[str, Any]] = {}
    for group in groups:
        row = rows.setdefault(
            group["code"],
            {"code": group["code"], "label": group["label"], "position": group["position"]}
            | dict.fromkeys(COLUMNS, 0),
        )
        row["label"] = max(row["label"], group["label"])
        row["position"] = min(row["position"], group["position"])
        if group["status"] == "partial" and not group["closed"]:
            continue  # counted below, by its response
        row[_bucket(group["status"], bool(group["closed"]), bool(group["opened"]))] += group["n"]
    open_partial = (
        invitations.filter(status="partial", expires_at__gt=now)
        .values("code")
        .annotate(
            in_progress=Count("id", filter=_in_progress(now)),
            finished=Count("id", filter=FINISHED),
        )
        .order_by()
    )
    for answer in open_partial:
        rows[answer["code"]]["open_now"] += answer["in_progress"]
        rows[answer["code"]]["partial"] += answer["finished"]
    return sorted(rows.values(), key=lambda row: row["position"])


def in_progress_ids(invitations: QuerySet[Invitation], now: datetime) -> list[int]:
    """Partial answers whose window is open and whose response is not finished (a few rows,
    found by the index of partial answers by window end and joined to their responses alone)."""
    return list(invitations.filter(_in_progress(now)).values_list("pk", flat=True))


def open_now(invitations: QuerySet[Invitation], now: datetime, today: date) -> QuerySet[Invitation]:
    """Invitations open now and not finished, overdue first, then by due day.

    The in-progress ones are looked up first (``in_progress_ids``), so this query never joins
    the responses: the waiting ones are read by the index of waiting invitations by opening day.
    """
    waiting_open = Q(status__in=WAITING, opens__lte=today, expires_at__gt=now)
    return (
        invitations.filter(follow_up__status=FollowUpStatus.ACTIVE)
        .filter(waiting_open | Q(pk__in=in_progress_ids(invitations, now)))
        .annotate(
            overdue_first=Case(
                When(status__in=WAITING, due__lt=today, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("overdue_first", "due", "id")
    )


def open_now_page(
    invitations: QuerySet[Invitation], now: datetime, today: date, limit: int | None
) -> tuple[list[Invitation], int]:
    """The first ``limit`` invitations open now (all with None) and how many there are.

    One query ranks the open ones and counts them (``COUNT(*) OVER ()``) returning ids only; the
    shown rows are then loaded with their patient and response. Joining full rows of 35,000
    open invitations before the sort and counting them in a second query was most of the open
    list's cost at 100,000 patients.
    """
    ranked = (
        open_now(invitations, now, today)
        .annotate(total=Window(Count("id")))
        .values_list("pk", "total")
    )
    top = list(ranked if limit is None else ranked[:limit])
    shown = (
        Invitation.objects.select_related("follow_up__patient__clinic")
        .prefetch_related("response")
        .in_bulk([pk for pk, _ in top])
    )
    return [shown[pk] for pk, _ in top], top[0][1] if top else 0


def lost_follow_up_ids(clinic_id: int, now: datetime, today: date) -> RawSQL:
    """Active follow-ups whose two latest closed time points were both missed, as a subquery.

    The two latest closed time points are both missed exactly when no answered one (completed,
    or partial and closed or finished) comes after the second-latest missed one. So: the missed
    time points (by status, and waiting ones whose window ended before the timer ran), ranked
    per follow-up from the latest, the second of each (a sort of the ~120,000 missed rows at
    100,000 patients, not of the million invitations), then two anti-joins that probe the
    follow-up's later completed and partial time points in the (status, follow-up, position)
    index. Answered rows are never aggregated: grouping the half million of them per follow-up
    was most of this query. The two kinds of missed are a UNION ALL so each reads its own index
    (a window that has ended opened on or before today). Responses are probed only for a partial
    answer whose window is still open. Positions are the plan's order, one per follow-up.
    """
    moment = connection.ops.adapt_datetimefield_value(now)
    day = connection.ops.adapt_datefield_value(today)
    sql = """
WITH ranked AS (
  SELECT m.follow_up_id, m.position,
    ROW_NUMBER() OVER (PARTITION BY m.follow_up_id ORDER BY m.position DESC) AS nth
  FROM (
    SELECT follow_up_id, position FROM outcomes_invitation WHERE status = 'missed'
    UNION ALL
    SELECT follow_up_id, position FROM outcomes_invitation
    WHERE status IN ('scheduled', 'sent') AND opens <= %s AND expires_at <= %s
  ) m
)
SELECT s.follow_up_id FROM ranked s
JOIN outcomes_followup f ON f.id = s.follow_up_id AND f.status = 'active'
JOIN patients_patient p ON p.id = f.patient_id AND p.clinic_id = %s
WHERE s.nth = 2
  AND NOT EXISTS (
    SELECT 1 FROM outcomes_invitation a WHERE a.status = 'completed'
      AND a.follow_up_id = s.follow_up_id AND a.position > s.position)
  AND NOT EXISTS (
    SELECT 1 FROM outcomes_invitation a WHERE a.status = 'partial'
      AND a.follow_up_id = s.follow_up_id AND a.position > s.position
      AND (a.expires_at <= %s OR EXISTS (
        SELECT 1 FROM outcomes_response r WHERE r.invitation_id = a.id
          AND (r.submitted_at IS NOT NULL OR r.closed_at IS NOT NULL))))
"""
    return RawSQL(sql, (day, moment, clinic_id, moment))  # noqa: S611 (values are parameters)
