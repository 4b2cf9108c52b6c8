"""The clinic page's counts in SQL: a few queries whatever the number of invitations.

Each invitation's state follows ``results.display_state`` exactly, written as conditions on its
status, window and response, so the database classifies and counts instead of Python loading
every invitation (300,000 of them at 100,000 patients):

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
from django.db.models import Case, Count, IntegerField, Max, Min, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from annulus.outcomes.models import FollowUpStatus, Invitation

WAITING = ("scheduled", "sent")


def _states(now: datetime, today: date) -> dict[str, Q]:
    closed = Q(expires_at__lte=now)
    finished = Q(response__submitted_at__isnull=False) | Q(response__closed_at__isnull=False)
    waiting = Q(status__in=WAITING)
    return {
        "completed": Q(status="completed"),
        "not_asked": Q(status="cancelled"),
        "missed": Q(status="missed") | (waiting & closed),
        "partial": Q(status="partial") & (closed | finished),
        "in_progress": Q(
            status="partial",
            expires_at__gt=now,
            response__submitted_at__isnull=True,
            response__closed_at__isnull=True,
        ),
        "upcoming": waiting & Q(expires_at__gt=now, opens__gt=today),
        "open": waiting & Q(expires_at__gt=now, opens__lte=today),
    }


def completion_counts(
    invitations: QuerySet[Invitation], now: datetime, today: date
) -> list[dict[str, Any]]:
    """Per time point code, in plan order: how many invitations are in each state."""
    states = _states(now, today)
    rows = (
        invitations.values("code")
        .annotate(
            label=Max("label"),
            position=Min("position"),
            completed=Count("id", filter=states["completed"]),
            partial=Count("id", filter=states["partial"]),
            missed=Count("id", filter=states["missed"]),
            open_now=Count("id", filter=states["open"] | states["in_progress"]),
            upcoming=Count("id", filter=states["upcoming"]),
            not_asked=Count("id", filter=states["not_asked"]),
        )
        .order_by("position")
    )
    return [dict(row) for row in rows]


def open_now(invitations: QuerySet[Invitation], now: datetime, today: date) -> QuerySet[Invitation]:
    """Invitations open now and not finished, overdue first, then by due day."""
    states = _states(now, today)
    return (
        invitations.filter(follow_up__status=FollowUpStatus.ACTIVE)
        .filter(states["open"] | states["in_progress"])
        .annotate(
            overdue_first=Case(
                When(status__in=WAITING, due__lt=today, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .select_related("follow_up__patient__clinic", "response")
        .order_by("overdue_first", "due", "id")
    )


def lost_follow_up_ids(clinic_id: int, now: datetime) -> RawSQL:
    """Active follow-ups whose two latest closed time points were both missed, as a subquery.

    One query: closed invitations ranked per follow-up (a window function), the top two kept,
    and follow-ups where both are missed.
    """
    moment = connection.ops.adapt_datetimefield_value(now)
    sql = """
SELECT follow_up_id FROM (
  SELECT i.follow_up_id,
    ROW_NUMBER() OVER (PARTITION BY i.follow_up_id ORDER BY i.position DESC) AS rn,
    CASE WHEN i.status = 'missed' OR (i.status IN ('scheduled', 'sent') AND i.expires_at <= %s)
      THEN 1 ELSE 0 END AS missed
  FROM outcomes_invitation i
  JOIN outcomes_followup f ON f.id = i.follow_up_id
  JOIN patients_patient p ON p.id = f.patient_id
  LEFT JOIN outcomes_response r ON r.invitation_id = i.id
  WHERE f.status = 'active' AND p.clinic_id = %s AND (
    i.status IN ('completed', 'missed')
    OR (i.status IN ('scheduled', 'sent') AND i.expires_at <= %s)
    OR (i.status = 'partial' AND (i.expires_at <= %s OR r.submitted_at IS NOT NULL
                                  OR r.closed_at IS NOT NULL)))
) ranked
WHERE rn <= 2 GROUP BY follow_up_id HAVING COUNT(*) = 2 AND SUM(missed) = 2
"""
    # A constant statement; the values go in as parameters.
    return RawSQL(sql, (moment, clinic_id, moment, moment))  # noqa: S611
