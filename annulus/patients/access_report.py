"""The patient's access report (HIPAA 164.528 accounting): who opened or changed the record,
when, and why, read from the audit trail for a date range.

Only this patient's audit rows are read (`patient_id`), and a row shows only who (staff as
name and role; staff of another clinic without a name), when (clinic time), what and why; the
rows' other details never reach the report, so no other patient's data can appear in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.template.loader import render_to_string
from django.utils import timezone

from annulus.accounts.models import BreakGlass, Membership
from annulus.audit.actions import ACCESS_BREAK_GLASS, ACCESS_DENIED
from annulus.audit.models import AuditEvent, Outcome
from annulus.patients.models import AccessReportRequest, Patient

# HIPAA's accounting looks back up to six years; a longer range is refused, not truncated.
MAX_DAYS = 6 * 366
# A report is printed whole or not at all: a range holding more rows asks for a shorter one.
MAX_ROWS = 5000

# Events the patient causes through a secure link (no member of staff is the actor).
PATIENT_SELF = ("intake.link", "intake.patient_save", "outcomes.survey", "consent.link",
                "consent.sign", "check_in.answered", "check_in.link", "appointment.link",
                "access_report.requested")  # fmt: skip
LABELS = {
    ACCESS_BREAK_GLASS: "Opened with emergency (break-glass) access",
    "access.break_glass.reviewed": "Emergency access reviewed by the clinical director",
    "patient.read": "Viewed the record",
    "patient.write": "Opened the record to change it",
    "access_report.produced": "Produced this access report",
    "access_report.requested": "Asked for an access report",
    "intake.link.opened": "Opened the intake link",
    "intake.patient_save": "Saved intake answers",
    "outcomes.survey.open": "Opened a follow-up questionnaire",
    "outcomes.survey.save": "Saved questionnaire answers",
    "outcomes.survey.submit": "Sent questionnaire answers",
    "consent.sign": "Signed a consent",
    "consent.link.opened": "Opened the consent link",
}
WHY_DEFAULT = "Care and clinic operations"
WHY_PATIENT = "Your own use of your secure link"
WHY_SYSTEM = "Automatic clinic process (reminders, timers)"
WHY_DENIED = "Not permitted: access was refused and recorded"


@dataclass(frozen=True)
class Entry:
    at: datetime  # clinic local time
    who: str
    what: str
    why: str
    refused: bool = False


@dataclass
class AccessReport:
    patient: Patient
    start: date
    end: date
    generated_at: datetime
    entries: list[Entry] = field(default_factory=list)


class TooManyEntries(ValueError):
    pass


def describe(action: str, outcome: str) -> str:
    if outcome == Outcome.DENIED or action == ACCESS_DENIED:
        return "Tried to open the record (refused)"
    if action in LABELS:
        return LABELS[action]
    verb = action.rsplit(".", 1)[-1]
    subject = action.rsplit(".", 1)[0].replace("_", " ").replace(".", " ")
    if verb in {"read", "view", "viewed", "open", "opened"}:
        return f"Viewed ({subject})"
    if "pdf" in action or "export" in action or "consult_note" in action or "everything" in verb:
        return f"Printed or exported ({subject})"
    return f"Recorded or changed ({subject}: {verb.replace('_', ' ')})"


def _window(clinic: Any, start: date, end: date) -> tuple[datetime, datetime]:
    zone = clinic.zone
    return (
        datetime.combine(start, time(0), tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time(0), tzinfo=zone),
    )


def _grant_in_force(grants: list[BreakGlass], event: AuditEvent) -> BreakGlass | None:
    for grant in grants:
        if grant.user_id == event.actor_id and grant.opened_at <= event.at < grant.expires_at:
            return grant
    return None


def build_report(patient: Patient, start: date, end: date) -> AccessReport:
    """Every audit row of this patient between ``start`` and ``end`` (clinic days, inclusive)."""
    clinic = patient.clinic
    since, until = _window(clinic, start, end)
    rows = AuditEvent.objects.filter(patient_id=patient.pk, at__gte=since, at__lt=until)
    count = rows.count()
    if count > MAX_ROWS:
        raise TooManyEntries(
            f"This range holds {count} entries, more than the {MAX_ROWS} one report can hold: "
            "choose a shorter range and produce several reports."
        )
    roles: dict[int, list[str]] = {}
    for m in Membership.objects.filter(clinic=clinic).select_related("user"):
        roles.setdefault(m.user_id, []).append(m.get_role_display())
    # Break-glass grants give the reason for everything their holder did in the window.
    grants = list(BreakGlass.objects.filter(patient_id=patient.pk, clinic=clinic))
    by_id = {str(g.pk): g for g in grants}
    report = AccessReport(patient, start, end, timezone.now().astimezone(clinic.zone))
    for event in rows.select_related("actor").order_by("at", "id"):
        refused = event.outcome == Outcome.DENIED
        grant = by_id.get(event.object_id) if event.action == ACCESS_BREAK_GLASS else None
        grant = grant or _grant_in_force(grants, event)
        actor = event.actor
        if actor is None:
            own = event.action.startswith(PATIENT_SELF)
            who = "You (through your secure link)" if own else "The clinic's system"
            why = WHY_PATIENT if own else WHY_SYSTEM
        elif actor.pk in roles:
            who = f"{actor.full_name or actor.email} ({', '.join(sorted(roles[actor.pk]))})"
            why = f"Emergency access: {grant.reason}" if grant else WHY_DEFAULT
        elif refused:  # someone else's staff: their attempt is shown, their name is not
            who, why = "A member of staff of another clinic", WHY_DENIED
        else:
            who, why = f"{actor.full_name or actor.email} (former staff)", WHY_DEFAULT
        if refused:
            why = WHY_DENIED
        what = describe(event.action, event.outcome)
        report.entries.append(Entry(event.at.astimezone(clinic.zone), who, what, why, refused))
    return report


def render_access_report_pdf(report: AccessReport) -> bytes:
    from annulus.candidacy.consult_note import render_pdf

    html = render_to_string("patients/access_report_pdf.html", {"report": report})
    return render_pdf(html)


def open_requests(clinic: Any) -> Any:
    """Patients' unanswered requests, oldest first (the staff worklist)."""
    return (
        AccessReportRequest.objects.filter(patient__clinic=clinic, fulfilled_at=None)
        .select_related("patient")
        .order_by("requested_at")
    )


class AccessReportForm(forms.Form):
    date_from = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        if not self.is_bound:
            self.initial = {"date_from": today - timedelta(days=365), "date_to": today}

    def clean_date_to(self) -> date:
        value: date = self.cleaned_data["date_to"]
        if value > self.today:
            raise forms.ValidationError("“To” cannot be in the future.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if start > end:
                self.add_error("date_from", "“From” must be on or before “To”.")
            elif (end - start).days > MAX_DAYS:
                self.add_error("date_from", "The range can cover at most six years.")
        return data
