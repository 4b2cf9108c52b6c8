"""Keep ``TimePointScores`` (one row per answered time point) in step with the scores.

``refresh(invitation_ids)`` rebuilds the rows of those invitations from their instrument scores
in two statements (delete, then insert the pivot), so it is right whatever changed: called by the
scoring actions inside their transaction, by the migration that backfills, and by bulk seeding
once per chunk. The statements are plain SQL that PostgreSQL and SQLite both run. Each refresh
then rebuilds the follow-ups' report summaries and the rows' report columns
(``follow_up_summary``): a baseline score is part of every row of its follow-up.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from annulus.outcomes import follow_up_summary

__all__ = ["ANSWERED", "refresh", "refresh_all", "refresh_between"]

ANSWERED = ("completed", "partial")

_PIVOT = """
INSERT INTO outcomes_timepointscores
  (invitation_id, follow_up_id, code, closes, odi, nrs_back, rmdq)
SELECT i.id, i.follow_up_id, i.code, i.closes,
       MAX(CASE WHEN ir.instrument_id = 'odi' THEN ir.score END),
       MAX(CASE WHEN ir.instrument_id = 'nrs-back' THEN ir.score END),
       MAX(CASE WHEN ir.instrument_id = 'rmdq' THEN ir.score END)
FROM outcomes_invitation i
JOIN outcomes_response r ON r.invitation_id = i.id
JOIN outcomes_instrumentresponse ir ON ir.response_id = r.id
WHERE i.status IN ('completed', 'partial')
  AND ir.instrument_id IN ('odi', 'nrs-back', 'rmdq') AND ir.score IS NOT NULL
"""
_GROUP = " GROUP BY i.id, i.follow_up_id, i.code, i.closes"
CHUNK = 5000  # ids per statement: well under SQLite's and psycopg's parameter limits


def refresh(invitation_ids: Iterable[int]) -> None:
    """Rebuild the score rows of these invitations (call inside the writing transaction)."""
    ids = sorted(set(invitation_ids))
    with connection.cursor() as cursor:
        for start in range(0, len(ids), CHUNK):
            part = ids[start : start + CHUNK]
            marks = ", ".join(["%s"] * len(part))
            cursor.execute(
                f"DELETE FROM outcomes_timepointscores WHERE invitation_id IN ({marks})",  # noqa: S608
                part,
            )
            cursor.execute(f"{_PIVOT} AND i.id IN ({marks}){_GROUP}", part)
            cursor.execute(
                f"SELECT DISTINCT follow_up_id FROM outcomes_invitation WHERE id IN ({marks})",  # noqa: S608
                part,
            )
            follow_up_summary.refresh_follow_ups(row[0] for row in cursor.fetchall())


def refresh_between(first_id: int, last_id: int) -> None:
    """Rebuild the rows of the invitations with ids first_id..last_id (bulk seeding's chunks)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM outcomes_timepointscores WHERE invitation_id BETWEEN %s AND %s",
            [first_id, last_id],
        )
        cursor.execute(f"{_PIVOT} AND i.id BETWEEN %s AND %s{_GROUP}", [first_id, last_id])
        cursor.execute(
            "SELECT MIN(follow_up_id), MAX(follow_up_id) FROM outcomes_invitation"
            " WHERE id BETWEEN %s AND %s",
            [first_id, last_id],
        )
        first_follow_up, last_follow_up = cursor.fetchone()
    if first_follow_up is not None:
        follow_up_summary.refresh_follow_ups_between(first_follow_up, last_follow_up)


def refresh_all() -> None:
    """Rebuild every row: one statement over the whole scores table."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM outcomes_timepointscores")
        cursor.execute(_PIVOT + _GROUP)
    follow_up_summary.refresh_all()
