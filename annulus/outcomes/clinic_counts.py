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
from django.db.models import (
    Case,
    Count,
    IntegerField,
    Max,
    Min,
    Q,
    QuerySet,
    Value,
    When,
)
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

    The two latest closed time points are both missed exactly when at least two missed ones come
    after the latest answered one (completed, or partial and closed). So: each follow-up's latest
    answered position (one GROUP BY), then its missed time points after it (a second GROUP BY).
    Responses are joined to the partial answers only (a few rows, by the status index); an
    EXISTS probe per row instead made PostgreSQL's estimate so large at 100,000 patients that it
    walked the whole invitation table by index.
    Two hash aggregates instead of ranking every closed invitation with a window (a sort of a
    million rows at 100,000 patients). Positions are the plan's order, one per follow-up.
    """
    moment = connection.ops.adapt_datetimefield_value(now)
    # The clinic's active follow-ups are joined in each part, not shared as a CTE: a CTE used
    # twice is materialized without statistics, and PostgreSQL then misjudged the joins.
    clinic_active = (
        "JOIN outcomes_followup f ON f.id = {0}.follow_up_id AND f.status = 'active' "
        "JOIN patients_patient p ON p.id = f.patient_id AND p.clinic_id = %s"
    )
    sql = f"""
WITH answered AS (
  SELECT x.follow_up_id, MAX(x.position) AS last_position FROM (
    SELECT i.follow_up_id, i.position FROM outcomes_invitation i WHERE i.status = 'completed'
    UNION ALL
    SELECT i.follow_up_id, i.position FROM outcomes_invitation i
    LEFT JOIN outcomes_response r ON r.invitation_id = i.id
    WHERE i.status = 'partial'
      AND (i.expires_at <= %s OR r.submitted_at IS NOT NULL OR r.closed_at IS NOT NULL)
  ) x {clinic_active.format("x")}
  GROUP BY x.follow_up_id
)
SELECT i.follow_up_id
FROM outcomes_invitation i {clinic_active.format("i")}
LEFT JOIN answered a ON a.follow_up_id = i.follow_up_id
WHERE (i.status = 'missed' OR (i.status IN ('scheduled', 'sent') AND i.expires_at <= %s))
  AND i.position > COALESCE(a.last_position, -1)
GROUP BY i.follow_up_id HAVING COUNT(*) >= 2
"""  # noqa: S608
    # Only the constants above are formatted in; the values go in as parameters.
    return RawSQL(sql, (moment, clinic_id, clinic_id, moment))  # noqa: S611
