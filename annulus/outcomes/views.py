"""Staff pages: a patient's follow-up (time points, scores, trajectories) and the clinic's rates."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from annulus.accounts.access import get_for_user
from annulus.audit.actions import OUTCOMES_CLINIC_VIEW, OUTCOMES_REPORT_PDF
from annulus.audit.record import record
from annulus.clinical.models import AlternativeReferral, FibrinProcedure
from annulus.lib.analytic_sql import analytic_queries
from annulus.outcomes import actions, charts, clinic_counts, library, results
from annulus.outcomes.catalog import list_instruments
from annulus.outcomes.emails import survey_url
from annulus.outcomes.forms import StopForm
from annulus.outcomes.models import ARM_CHOICES, FollowUp, FollowUpStatus, Invitation
from annulus.outcomes.responders import responder_label
from annulus.patients.access import get_patient_for_user
from annulus.patients.models import Patient


def get_invitation_for_user(request: HttpRequest, patient: Patient, pk: int) -> Invitation:
    """A time point of this patient's follow-up; anything else is a 404 and an audit event."""
    return get_for_user(
        request,
        Invitation.objects.select_related("follow_up__patient__clinic"),
        pk,
        kind="invitation",
        patient=patient,
        owner="follow_up.patient_id",
    )


def _charts(follow_up: FollowUp, rows: list[results.TimePointRow]) -> list[dict[str, Any]]:
    found = []
    for trajectory in results.trajectories(follow_up, rows):
        found.append(
            {
                "trajectory": trajectory,
                "src": charts.data_uri(charts.trajectory_svg(trajectory))
                if trajectory.has_data
                else "",
                "alt": charts.describe(trajectory),
            }
        )
    return found


def _patient_context(patient: Patient) -> dict[str, Any]:
    now = timezone.now()
    follow_up = FollowUp.objects.filter(patient=patient).first()
    context: dict[str, Any] = {"patient": patient, "now": now}
    if follow_up is None:
        context["anchor"] = actions.find_anchor(patient)
        return context
    rows = results.time_point_rows(follow_up, now)
    columns = _instrument_columns(rows)
    context.update(
        follow_up=follow_up,
        rows=[{"row": row, "cells": _cells(row, columns)} for row in rows],
        columns=columns,
        charts=_charts(follow_up, rows),
        responders=_responder_table(results.responder_rows(follow_up, rows)),
        responder_measures=RESPONDER_MEASURES,
        lost=results.lost_to_follow_up(rows),
        outside_window=[r for r in rows if r.invitation.outside_window],
        stop_form=StopForm(),
    )
    return context


SHORT_NAMES = {
    "odi": "ODI %",
    "nrs-back": "Back pain",
    "nrs-leg": "Leg pain",
    "rmdq": "RMDQ",
    "peg": "PEG",
    "pgic": "Change (PGIC)",
    "satisfaction": "Satisfaction",
}
STATUS_WORDS = {
    "strong": "Strong responder",
    "responder": "Responder",
    "non-responder": "Not a responder",
    "unknown": "Unknown",
}
RESPONDER_MEASURES = (("odi", "ODI"), ("nrs-back", "Back pain"), ("rmdq", "RMDQ"))


def _instrument_columns(rows: list[results.TimePointRow]) -> list[tuple[str, str, str]]:
    """(id, short name, full title) of every instrument asked at some time point."""
    seen: dict[str, tuple[str, str, str]] = {}
    for row in rows:
        for instrument_id in row.invitation.instruments:
            if instrument_id not in seen:
                title = library.shipped(instrument_id).title
                seen[instrument_id] = (instrument_id, SHORT_NAMES.get(instrument_id, title), title)
    return list(seen.values())


def _cells(row: results.TimePointRow, columns: list[tuple[str, str, str]]) -> list[dict[str, Any]]:
    cells = []
    for instrument_id, _, _ in columns:
        part = row.scores.get(instrument_id)
        asked = instrument_id in row.invitation.instruments
        cells.append({"asked": asked, "part": part})
    return cells


COMPONENT_WORDS = {
    "pain-30-percent": "back pain 30 % better",
    "rmdq-30-percent": "RMDQ 30 % better",
    "odi-30-percent": "ODI 30 % better",
    "neurological-status-maintained": "neurological status maintained",
    "no-secondary-intervention": "no secondary intervention",
    "no-serious-adverse-event": "no serious adverse event",
}


def _change_text(change: Any) -> str:
    """ "12 points better (25 %)": improvement is positive when the score went down."""
    if change.improvement is None:
        return change.reason or ""
    size = abs(change.improvement)
    direction = "better" if change.improvement > 0 else "worse" if change.improvement else ""
    text = f"{size:g} point{'' if size == 1 else 's'} {direction}".rstrip()
    if change.percent is None:
        return f"{text} (no % change from a baseline of 0)"
    return f"{text} ({abs(change.percent):.0f}\u00a0%)"


def _composite_text(composite: Any) -> dict[str, str] | None:
    if composite is None:
        return None
    failed = [COMPONENT_WORDS.get(n, n) for n, met in composite.components if met is False]
    unknown = [COMPONENT_WORDS.get(n, n) for n, met in composite.components if met is None]
    parts = []
    if failed:
        parts.append("Not met: " + ", ".join(failed) + ".")
    if unknown:
        parts.append("Not recorded: " + ", ".join(unknown) + ".")
    return {
        "status": composite.status,
        "label": {"success": "Success", "failure": "Failure", "unknown": "Not known"}[
            composite.status
        ],
        "detail": " ".join(parts) or "Every criterion met.",
    }


def _responder_table(rows: list[results.ResponderRow]) -> list[dict[str, Any]]:
    table = []
    for row in rows:
        cells: list[dict[str, str] | None] = []
        for instrument_id, _ in RESPONDER_MEASURES:
            change = row.changes.get(instrument_id)
            if change is None:
                cells.append(None)
            else:
                cells.append(
                    {
                        "status": change.status,
                        "label": responder_label(change),
                        "detail": _change_text(change),
                    }
                )
        table.append({"row": row, "cells": cells, "composite": _composite_text(row.composite)})
    return table


def patient_outcomes(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk)
    return render(request, "outcomes/patient.html", _patient_context(patient))


@require_POST
def enrol_patient(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, write=True)
    try:
        actions.enrol(
            patient,
            user=request.user,
            request=request,
        )
    except actions.OutcomesError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Enrolled in follow-up. Invitations go out as windows open.")
    return redirect("patient_outcomes:detail", pk=patient.pk)


@require_POST
def stop_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, write=True)
    follow_up = FollowUp.objects.filter(patient=patient).first()
    if follow_up is None:
        raise Http404("Not enrolled.")
    form = StopForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose why follow-up stops.")
    else:
        try:
            actions.stop(
                follow_up, reason=form.cleaned_data["reason"], user=request.user, request=request
            )
        except actions.OutcomesError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Follow-up stopped. Answers already given are kept.")
    return redirect("patient_outcomes:detail", pk=patient.pk)


@require_POST
def reissue_link(request: HttpRequest, pk: int, invitation_id: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, write=True)
    invitation = get_invitation_for_user(request, patient, invitation_id)
    try:
        link, token = actions.reissue(
            invitation,
            user=request.user,
            request=request,
        )
    except actions.OutcomesError as exc:
        messages.error(request, str(exc))
        return redirect("patient_outcomes:detail", pk=patient.pk)
    context = {
        "patient": patient,
        "invitation": invitation,
        "url": survey_url(invitation, token),  # exactly what the email carries
        "emailed": link.email_id is not None,
    }
    response = render(request, "outcomes/link_issued.html", context)
    response["Cache-Control"] = "no-store"
    return response


def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The patient's outcomes on paper: the same charts, printed with WeasyPrint."""
    import weasyprint

    patient = get_patient_for_user(request, pk)
    context = _patient_context(patient)
    if "follow_up" not in context:
        raise Http404("Not enrolled in follow-up.")
    record(OUTCOMES_REPORT_PDF, request=request, clinic=patient.clinic, patient_id=patient.pk)
    html = render_to_string("outcomes/report_pdf.html", context, request=request)
    fetcher = weasyprint.urls.URLFetcher(allowed_protocols={"data"})
    pdf = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="outcomes-patient-{patient.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


LIST_PAGE = 50


def _clinic_counts(
    clinic: Any,
    follow_ups: Any,
    treated: Any,
    now: Any,
    today: Any,
    arm: str,
    request: HttpRequest,
) -> dict[str, Any]:
    not_followed = treated.exclude(Exists(FollowUp.objects.filter(patient=OuterRef("pk"))))
    not_followed_count = not_followed.count()
    # Lost to follow-up: one query for the ids in name order (the count is their number), then
    # only the shown page's follow-ups are loaded.
    lost_ids = list(
        FollowUp.objects.filter(id__in=clinic_counts.lost_follow_up_ids(clinic.pk, now, today))
        .order_by("patient__last_name", "patient__first_name", "id")
        .values_list("id", flat=True)
    )
    lost_page = Paginator(lost_ids, LIST_PAGE).get_page(request.GET.get("lost_page"))
    shown = FollowUp.objects.select_related("patient").in_bulk(list(lost_page.object_list))
    rows: list[Any] = [shown[pk] for pk in lost_page.object_list if pk in shown]
    lost_page.object_list = rows
    enrolment = follow_ups.aggregate(
        enrolled=Count("id"), stopped=Count("id", filter=Q(status=FollowUpStatus.STOPPED))
    )
    open_now, open_count = clinic_counts.open_now_page(
        Invitation.objects.filter(follow_up__in=follow_ups), now, today, LIST_PAGE
    )
    return {
        "completion": results.completion_by_time_point(
            follow_ups, now, arm=arm or None, today=today
        ),
        "open_now": results.due_rows(open_now, now),
        "open_count": open_count,
        # The list only when someone is missing (its sort reads the whole clinic).
        "not_followed": list(not_followed.order_by("last_name", "first_name")[:100])
        if not_followed_count
        else [],
        "not_followed_count": not_followed_count,
        "lost": lost_page,
        "lost_count": lost_page.paginator.count,
        **enrolment,
    }


def clinic_overview(request: HttpRequest) -> HttpResponse:
    """Completion per time point, what is open now, who is lost, and who is not followed.

    Counts are SQL aggregates and the lists are paginated, so the page costs a few queries
    whatever the size of the clinic (see bench/registry.py).
    """
    clinic = request.clinic  # type: ignore[attr-defined]
    now = timezone.now()
    today = actions.local_day(clinic, now)
    arms = dict(ARM_CHOICES)
    arm = request.GET.get("arm", "")
    if arm not in arms:
        arm = ""
    follow_ups = FollowUp.objects.filter(patient__clinic=clinic)
    treated = Patient.objects.in_clinic(clinic).filter(
        Exists(FibrinProcedure.objects.filter(patient=OuterRef("pk")))
        | Exists(AlternativeReferral.objects.filter(patient=OuterRef("pk")))
        | Q(procedure_date__isnull=False)
    )
    record(OUTCOMES_CLINIC_VIEW, request=request, clinic=clinic)
    # The counts scan every invitation of the clinic (a million at 100,000 patients): one
    # snapshot, without JIT compilation (``analytic_sql``).
    with analytic_queries():
        context = _clinic_counts(clinic, follow_ups, treated, now, today, arm, request)
    context.update(
        list_page=LIST_PAGE,
        arms=[(code, label) for code, label in ARM_CHOICES],
        arm=arm,
        arm_label=arms.get(arm, ""),
        instruments=[
            (instrument, library.availability(instrument.id)) for instrument in list_instruments()
        ],
    )
    return render(request, "outcomes/clinic.html", context)
