"""The staff home's worklist: what needs doing today, by role, each row linking to where to act.

Every section is one bounded query (select_related, a row limit), whatever the clinic's size.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

LIMIT = 25
# Which sections each role sees (a member of staff with several roles sees the union).
SECTIONS_BY_ROLE = {
    "coordinator": {
        "alerts",
        "appointments",
        "no_shows",
        "intakes",
        "surveys",
        "lost",
        "access_reports",
        "va",
    },
    "clinician": {"alerts", "appointments", "no_shows", "decisions", "intakes", "va"},
    "director": {
        "alerts",
        "appointments",
        "no_shows",
        "breakglass",
        "decisions",
        "intakes",
        "surveys",
        "lost",
        "access_reports",
        "va",
    },
    "admin": {"va"},
}


@dataclass
class Row:
    url: str
    who: str
    what: str
    when: str = ""


@dataclass
class Section:
    key: str
    title: str
    rows: list[Row] = field(default_factory=list)
    empty: str = "Nothing to do."
    more_url: str = ""


def sections_for(roles: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for role in roles:
        out |= SECTIONS_BY_ROLE.get(role, set())
    return out


def _day_bounds(clinic: Any, day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=clinic.zone)
    return start, start + timedelta(days=1)


def appointments_today(clinic: Any, today: date) -> Section:
    from annulus.scheduling.models import Appointment, Status

    start, end = _day_bounds(clinic, today)
    qs = (
        Appointment.objects.filter(clinic=clinic, start__gte=start, start__lt=end)
        .exclude(status=Status.CANCELLED)
        .select_related("patient", "service")
        .order_by("start")[:LIMIT]
    )
    rows = [
        Row(
            reverse("scheduling_staff:appointment", args=[a.pk]),
            a.patient.display_name,
            f"{a.service} · {a.get_status_display()}",
            a.start.astimezone(clinic.zone).strftime("%H:%M"),
        )
        for a in qs
    ]
    return Section("appointments", "Appointments today", rows, "No appointments today.")


def no_shows_to_follow_up(clinic: Any) -> Section:
    """No-shows not yet rebooked or dismissed (a booking for the patient closes them)."""
    from annulus.scheduling.models import Appointment, Status

    qs = (
        Appointment.objects.filter(
            clinic=clinic, status=Status.NO_SHOW, follow_up_closed_at__isnull=True
        )
        .select_related("patient", "service")
        .order_by("-start")[:LIMIT]
    )
    rows = [
        Row(
            reverse("scheduling_staff:appointment", args=[a.pk]),
            a.patient.display_name,
            f"no-show for {a.service}: rebook or dismiss",
            a.start.astimezone(clinic.zone).strftime("%Y-%m-%d %H:%M %Z"),
        )
        for a in qs
    ]
    return Section("no_shows", "No-shows to follow up", rows, "No no-shows to follow up.")


def decisions_to_review(clinic: Any, user: Any) -> Section:
    from annulus.candidacy.models import Evaluation, Review

    qs = (
        Evaluation.objects.filter(
            patient__clinic=clinic, review__in=[Review.PENDING, Review.TO_COSIGN]
        )
        .select_related("patient")
        .order_by("-evaluated_at")[:LIMIT]
    )
    rows = []
    for e in qs:
        if e.review == Review.TO_COSIGN:
            if e.reviewed_by_id == user.pk:
                what = "your override of an urgent referral awaits a colleague's co-signature"
            else:
                what = "override of an urgent referral: co-sign or leave"
        else:
            what = f"protocol decision awaiting review ({e.outcome.replace('_', ' ')})"
        url = f"/staff/patients/{e.patient_id}/evaluations/{e.pk}/#review"
        rows.append(Row(url, e.patient.display_name, what, e.evaluated_at.date().isoformat()))
    return Section("decisions", "Decisions awaiting review or co-signature", rows)


def intakes_to_review(clinic: Any) -> Section:
    from annulus.patients.models import Intake, IntakeStatus

    qs = (
        Intake.objects.filter(patient__clinic=clinic, status=IntakeStatus.SUBMITTED)
        .select_related("patient")
        .order_by("submitted_at")[:LIMIT]
    )
    rows = [
        Row(
            reverse("patients:intake", args=[i.patient_id]),
            i.patient.display_name,
            "intake sent by the patient",
            i.submitted_at.date().isoformat() if i.submitted_at else "",
        )
        for i in qs
    ]
    return Section("intakes", "Intakes awaiting review", rows)


def surveys_this_week(clinic: Any, today: date) -> Section:
    from annulus.outcomes.models import Invitation, InvitationStatus

    monday = today - timedelta(days=today.weekday())
    sunday = monday + timedelta(days=6)
    pending = [InvitationStatus.SCHEDULED, InvitationStatus.SENT, InvitationStatus.PARTIAL]
    qs = (
        Invitation.objects.filter(follow_up__patient__clinic=clinic)
        .filter(
            # due this week, overdue (past due, window still open), or missed this week
            (_q(status__in=pending, due__gte=monday, due__lte=sunday))
            | _q(status__in=pending, due__lt=today, closes__gte=today)
            | _q(status=InvitationStatus.MISSED, closes__gte=monday, closes__lte=sunday)
        )
        .select_related("follow_up__patient")
        .order_by("due")[:LIMIT]
    )
    rows = []
    for inv in qs:
        patient = inv.follow_up.patient
        if inv.status == InvitationStatus.MISSED:
            state = "missed"
        elif inv.due < today:
            state = "overdue"
        else:
            state = "due"
        rows.append(
            Row(
                f"/staff/patients/{patient.pk}/outcomes/",
                patient.display_name,
                f"{inv.label}: {state}",
                inv.due.isoformat(),
            )
        )
    return Section("surveys", "Surveys due, overdue and missed this week", rows)


def lost_to_follow_up(clinic: Any, today: date) -> Section:
    """Active follow-ups whose two latest closed time points were both missed (one query)."""
    from annulus.outcomes.models import Invitation, InvitationStatus

    closed = [InvitationStatus.COMPLETED, InvitationStatus.PARTIAL, InvitationStatus.MISSED]
    qs = (
        Invitation.objects.filter(
            follow_up__patient__clinic=clinic,
            follow_up__status="active",
            status__in=closed,
            closes__lt=today,
        )
        .select_related("follow_up__patient")
        .order_by("follow_up_id", "position")
        .only("status", "follow_up__patient__first_name", "follow_up__patient__last_name")
    )
    last_two: dict[int, list[str]] = {}
    patients: dict[int, Any] = {}
    for inv in qs.iterator(chunk_size=2000):
        last_two.setdefault(inv.follow_up_id, []).append(inv.status)
        last_two[inv.follow_up_id] = last_two[inv.follow_up_id][-2:]
        patients[inv.follow_up_id] = inv.follow_up.patient
    rows = [
        Row(
            f"/staff/patients/{patients[fid].pk}/outcomes/",
            patients[fid].display_name,
            "the last two follow-ups were missed",
        )
        for fid, states in last_two.items()
        if states == [InvitationStatus.MISSED, InvitationStatus.MISSED]
    ][:LIMIT]
    return Section("lost", "Patients lost to follow-up", rows, "No one lost to follow-up.")


def break_glass_overdue(clinic: Any) -> Section:
    """Break-glass openings nobody has reviewed within 7 days (G8): the director's to review."""
    from annulus.accounts.breakglass import overdue_items

    url = reverse("breakglass:reviews")
    rows = [
        Row(
            url,
            grant.user.full_name or grant.user.email,
            f"emergency access to patient #{grant.patient_id}, unreviewed for "
            f"{(timezone.now() - grant.opened_at).days} days",
            grant.opened_at.date().isoformat(),
        )
        for grant in overdue_items(clinic)[:LIMIT]
    ]
    return Section(
        "breakglass",
        "Emergency access unreviewed for over 7 days",
        rows,
        "No emergency access awaits review beyond 7 days.",
        more_url=url,
    )


def access_reports_requested(clinic: Any) -> Section:
    """Patients who asked, from their secure link, who has seen their record (HIPAA 164.528)."""
    from annulus.patients.access_report import open_requests

    rows = [
        Row(
            reverse("patients:access_report", args=[req.patient_id]),
            req.patient.display_name,
            "asked for the report of who accessed their record: produce it and send it",
            req.requested_at.date().isoformat(),
        )
        for req in open_requests(clinic)[:LIMIT]
    ]
    return Section("access_reports", "Access reports requested by patients", rows)


def _q(**kwargs: Any) -> Q:
    return Q(**kwargs)


def build(clinic: Any, user: Any, roles: Iterable[str], today: date) -> list[Section]:
    wanted = sections_for(roles)
    out = []
    if "appointments" in wanted:
        out.append(appointments_today(clinic, today))
    if "breakglass" in wanted:
        out.append(break_glass_overdue(clinic))
    if "no_shows" in wanted:
        out.append(no_shows_to_follow_up(clinic))
    if "decisions" in wanted:
        out.append(decisions_to_review(clinic, user))
    if "intakes" in wanted:
        out.append(intakes_to_review(clinic))
    if "surveys" in wanted:
        out.append(surveys_this_week(clinic, today))
    if "lost" in wanted:
        out.append(lost_to_follow_up(clinic, today))
    if "access_reports" in wanted:
        out.append(access_reports_requested(clinic))
    return out
