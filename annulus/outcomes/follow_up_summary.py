"""Keep ``FollowUpSummary`` (one row per follow-up) and the report columns of the score pivot
(``TimePointScores``) in step with the facts they are computed from.

A summary row holds what the outcomes report asks of a follow-up: its arm, clinic, entry day,
status and stop day, its first repeat fibrin procedure, surgery referral and serious adverse event
after entry, whether it had any (related, serious, discitis) adverse event on or after entry, its
baseline scores, and the patient's age at entry, sex, veteran status and prior spine surgery.
Each score-pivot row then carries its follow-up's arm, clinic and entry day, its changes from
baseline and its responder and composite flags, so that the report adds up one table without a
join (issue #13: the per-report temporary table and the join were most of its time).

``refresh_*`` rebuild the rows of some follow-ups from the source tables in three statements
(delete, insert the summaries, update the pivot rows), so they are right whatever changed. Who
calls them, inside the writing transaction:

- ``time_point_scores.refresh`` (every scoring action, and the enrolment actions that move or
  withdraw time points), for the follow-ups of the invitations it rebuilt;
- ``outcomes.actions.enrolment``: ``enrol``, ``replan`` and ``stop``;
- ``patients.history.save_clinical`` / ``delete_clinical``, through which every write of the
  patient row and of the clinical record goes, for the tables in ``SOURCE_TABLES``;
- bulk seeding, once per chunk; the migration that adds the table, with ``refresh_all``.

The statements are plain SQL that PostgreSQL and SQLite both run.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.utils import timezone

__all__ = [
    "COMPOSITE_CODES",
    "SOURCE_TABLES",
    "refresh_all",
    "refresh_follow_ups",
    "refresh_follow_ups_between",
    "refresh_patients",
]

# The composite is read from the trial's 26-week end point on (clinical-reference §1.3).
COMPOSITE_CODES = ("month-6", "month-12", "month-24", "month-36", "month-48", "month-60")
SURGERY_ARMS = ("fusion", "spine_surgery_consult")
# The tables whose rows change a summary: a write to one of them refreshes the patient's.
SOURCE_TABLES = frozenset(
    {
        "patients_patient",
        "clinical_fibrinprocedure",
        "clinical_alternativereferral",
        "clinical_adverseevent",
        "clinical_priorspineprocedure",
    }
)
CHUNK = 5000  # ids per statement: well under SQLite's and psycopg's parameter limits

_COLUMNS = (
    "follow_up_id, patient_id, clinic_id, arm, treatment_date, status, stopped_on, repeat_on, "
    "referral_on, serious_on, b_odi, b_nrs, b_rmdq, sex, veteran, age, prior_surgery, "
    "ae_any, ae_related, ae_serious, ae_discitis"
)


def _age_sql(day: str, born: str) -> str:
    """Whole years from ``born`` to ``day`` (NULL without a birth date): the difference of the
    years, less one when the birthday had not come yet that year."""
    if connection.vendor == "postgresql":
        ymd = "CAST(date_part('year', {0}) * 10000 + date_part('month', {0}) * 100"
        ymd += " + date_part('day', {0}) AS INTEGER)"
    else:
        ymd = "CAST(strftime('%%Y%%m%%d', {0}) AS INTEGER)"
    t, b = ymd.format(day), ymd.format(born)
    return f"({t} / 10000 - {b} / 10000 - CASE WHEN {t} %% 10000 < {b} %% 10000 THEN 1 ELSE 0 END)"


def _summary_sql(where: str) -> str:
    """INSERT the summaries of the follow-ups ``f`` matching ``where``. Each first event is one
    grouped join per table over those follow-ups, not a probe per row."""
    if connection.vendor == "postgresql":
        stopped_day = "(fu.stopped_at AT TIME ZONE %s)::date"
    else:
        stopped_day = "date(fu.stopped_at)"
    surgery = ", ".join(f"'{arm}'" for arm in SURGERY_ARMS)
    # Only constants of this module are formatted in; values go in as parameters.
    return f"""
INSERT INTO outcomes_followupsummary ({_COLUMNS})
WITH fu AS (
  SELECT f.id, f.patient_id, f.treatment_date, f.arm, f.status, f.stopped_at, p.clinic_id,
         p.date_of_birth, p.sex, p.veteran
  FROM outcomes_followup f JOIN patients_patient p ON p.id = f.patient_id WHERE {where}
), prior AS (
  SELECT DISTINCT ps.patient_id FROM clinical_priorspineprocedure ps
  WHERE ps.patient_id IN (SELECT patient_id FROM fu)
), repeat AS (
  SELECT fu.id AS fid, MIN(fp.performed_on) AS day FROM fu
  JOIN clinical_fibrinprocedure fp ON fp.patient_id = fu.patient_id
    AND fp.performed_on > fu.treatment_date
  GROUP BY fu.id
), referral AS (
  SELECT fu.id AS fid, MIN(ar.referred_on) AS day FROM fu
  JOIN clinical_alternativereferral ar ON ar.patient_id = fu.patient_id
    AND ar.referred_on > fu.treatment_date AND ar.alternative IN ({surgery})
  GROUP BY fu.id
), events AS (
  SELECT fu.id AS fid,
    MIN(CASE WHEN ae.serious THEN ae.onset_on END) AS serious_on,
    MAX(CASE WHEN ae.related THEN 1 ELSE 0 END) AS related,
    MAX(CASE WHEN ae.serious THEN 1 ELSE 0 END) AS serious,
    MAX(CASE WHEN ae.discitis THEN 1 ELSE 0 END) AS discitis
  FROM fu JOIN clinical_adverseevent ae ON ae.patient_id = fu.patient_id
    AND ae.onset_on >= fu.treatment_date
  GROUP BY fu.id
)
SELECT fu.id, fu.patient_id, fu.clinic_id, fu.arm, fu.treatment_date, fu.status,
       {stopped_day}, repeat.day, referral.day, events.serious_on,
       b.odi, b.nrs_back, b.rmdq, fu.sex, fu.veteran,
       {_age_sql("fu.treatment_date", "fu.date_of_birth")},
       CASE WHEN prior.patient_id IS NULL THEN 0 ELSE 1 END,
       CASE WHEN events.fid IS NULL THEN 0 ELSE 1 END,
       COALESCE(events.related, 0), COALESCE(events.serious, 0), COALESCE(events.discitis, 0)
FROM fu LEFT JOIN outcomes_timepointscores b ON b.follow_up_id = fu.id AND b.code = 'baseline'
LEFT JOIN repeat ON repeat.fid = fu.id
LEFT JOIN referral ON referral.fid = fu.id
LEFT JOIN events ON events.fid = fu.id
LEFT JOIN prior ON prior.patient_id = fu.patient_id
"""  # noqa: S608


# Per score row, against its follow-up's summary ``s`` (clinical-reference §4.10 and §1.3).
# ODI responder: improved by at least 30 % of a baseline above 0, written as 10 x improvement
# >= 3 x baseline so the 30 % boundary is not lost to rounding.
_ODI_RESPONDER = "(s.b_odi > 0 AND odi IS NOT NULL AND 10 * (s.b_odi - odi) >= 3 * s.b_odi - 1e-9)"
_PAIN_30 = (
    "(s.b_nrs > 0 AND nrs_back IS NOT NULL AND 10 * (s.b_nrs - nrs_back) >= 3 * s.b_nrs - 1e-9)"
)
_FUNCTION_30 = (
    "(CASE WHEN rmdq IS NOT NULL AND s.b_rmdq IS NOT NULL"
    " THEN (s.b_rmdq > 0 AND 10 * (s.b_rmdq - rmdq) >= 3 * s.b_rmdq - 1e-9)"
    f" ELSE {_ODI_RESPONDER} END)"
)
_COMPOSITE_KNOWN = (
    "(nrs_back IS NOT NULL AND s.b_nrs IS NOT NULL AND ((rmdq IS NOT NULL AND s.b_rmdq IS NOT NULL)"
    " OR (odi IS NOT NULL AND s.b_odi IS NOT NULL)))"
)
# No repeat fibrin procedure or surgery referral after entry, and no serious adverse event on or
# after entry, by the time point's closing day.
_NO_SECONDARY = (
    "((s.repeat_on IS NULL OR s.repeat_on > closes)"
    " AND (s.referral_on IS NULL OR s.referral_on > closes)"
    " AND (s.serious_on IS NULL OR s.serious_on > closes))"
)


def _stamp_sql(where: str) -> str:
    """UPDATE the score rows of the summaries ``s`` matching ``where`` from their summary."""
    composite = "code IN ({})".format(", ".join(f"'{c}'" for c in COMPOSITE_CODES))
    known = f"{composite} AND {_COMPOSITE_KNOWN}"
    success = f"{known} AND {_PAIN_30} AND {_FUNCTION_30} AND {_NO_SECONDARY}"
    # Only constants of this module are formatted in; values go in as parameters.
    return f"""
UPDATE outcomes_timepointscores SET
  arm = s.arm, clinic_id = s.clinic_id, treatment_date = s.treatment_date,
  d_odi = odi - s.b_odi, d_nrs = nrs_back - s.b_nrs, d_rmdq = rmdq - s.b_rmdq,
  evaluable = CASE WHEN s.b_odi IS NOT NULL AND odi IS NOT NULL THEN 1 ELSE 0 END,
  responder = CASE WHEN {_ODI_RESPONDER} THEN 1 ELSE 0 END,
  composite_known = CASE WHEN {known} THEN 1 ELSE 0 END,
  composite_success = CASE WHEN {success} THEN 1 ELSE 0 END
FROM outcomes_followupsummary s
WHERE s.follow_up_id = outcomes_timepointscores.follow_up_id AND {where}
"""  # noqa: S608


def _rebuild(column: str, condition: str, params: list[Any]) -> None:
    """Rebuild the summaries (and their score rows) of the follow-ups whose ``column``
    (``follow_up_id`` or ``patient_id``) meets ``condition`` (SQL with ``params``)."""
    insert_params: list[Any] = list(params)
    if connection.vendor == "postgresql":
        insert_params.append(timezone.get_current_timezone_name())
    source = {"follow_up_id": "f.id", "patient_id": "f.patient_id"}[column]
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM outcomes_followupsummary WHERE {column} {condition}",  # noqa: S608
            params,
        )
        cursor.execute(_summary_sql(f"{source} {condition}"), insert_params)
        cursor.execute(_stamp_sql(f"s.{column} {condition}"), params)


def _in_chunks(column: str, ids: Iterable[int]) -> None:
    unique = sorted(set(ids))
    for start in range(0, len(unique), CHUNK):
        part = unique[start : start + CHUNK]
        _rebuild(column, "IN ({})".format(", ".join(["%s"] * len(part))), part)


def refresh_follow_ups(follow_up_ids: Iterable[int]) -> None:
    """Rebuild these follow-ups' summaries and score rows (call inside the writing transaction)."""
    _in_chunks("follow_up_id", follow_up_ids)


def refresh_patients(patient_ids: Iterable[int]) -> None:
    """Rebuild the summaries and score rows of these patients' follow-ups."""
    _in_chunks("patient_id", patient_ids)


def refresh_follow_ups_between(first_id: int, last_id: int) -> None:
    """Rebuild the follow-ups with ids first_id..last_id (bulk seeding's chunks)."""
    _rebuild("follow_up_id", "BETWEEN %s AND %s", [first_id, last_id])


def refresh_all() -> None:
    """Rebuild every summary and every score row's report columns."""
    _rebuild("follow_up_id", "IS NOT NULL", [])
