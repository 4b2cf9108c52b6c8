"""Candidacy in the record: run a protocol, read and review its decision, print the consult note.

Thin views: parse and authorize, call one action, render. Running a protocol is open to the
clinic's coordinators and clinicians; accepting or overriding a decision is for clinicians and
the clinical director.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from annulus.accounts.access import get_clinic_for_user, require_role
from annulus.accounts.models import Role
from annulus.accounts.session import roles_in_clinic
from annulus.audit.actions import CANDIDACY_CONSULT_NOTE, CANDIDACY_OVERRIDE_RATES
from annulus.audit.record import record
from annulus.candidacy import actions, consult_note
from annulus.candidacy.access import get_evaluation_for_user
from annulus.candidacy.case_builder import CaseNotReady
from annulus.candidacy.engine import DEFAULT_PROTOCOL, CaseError, list_protocols
from annulus.candidacy.forms import OverrideForm, OverrideRatesFilter, RunProtocolForm
from annulus.candidacy.models import Evaluation, Review
from annulus.candidacy.presenters import (
    OUTCOME_HEADLINES,
    OUTCOME_LABELS,
    criterion_names,
    group_criteria,
    routes_in_words,
    todo_list,
)
from annulus.candidacy.rates import override_rates
from annulus.clinical.models import MRIStudy
from annulus.patients.access import get_patient_for_user
from annulus.patients.models import Patient

REVIEW_ROLES = (Role.CLINICIAN, Role.DIRECTOR)
MAX_LISTED = 50


@require_http_methods(["GET", "POST"])
def candidacy_page(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, write=request.method == "POST")
    form = RunProtocolForm(request.POST or None, clinic=patient.clinic)
    not_ready = False
    if request.method == "POST" and form.is_valid():
        protocol = form.cleaned_data["protocol"]
        try:
            evaluation = actions.record_evaluation(
                patient, protocol=protocol, user=request.user, request=request
            )
        except CaseNotReady as exc:
            not_ready = True
            form.add_error(None, f"The case cannot be built yet. {exc}")
        except CaseError as exc:
            problems = "; ".join(str(issue) for issue in exc.issues[:5])
            form.add_error(None, f"The record holds values the case file refuses: {problems}")
        else:
            label = OUTCOME_LABELS.get(evaluation.outcome, evaluation.outcome)
            messages.success(
                request, f"{protocol.id} version {protocol.version} run. Outcome: {label}."
            )
            return redirect(
                "patient_candidacy:evaluation", pk=patient.pk, evaluation_id=evaluation.pk
            )
    evaluations = list(
        Evaluation.objects.filter(patient=patient)
        .select_related("evaluated_by", "reviewed_by")
        .defer("case_snapshot", "decision")[:MAX_LISTED]
    )
    for ev in evaluations:
        ev.outcome_label = OUTCOME_LABELS.get(ev.outcome, ev.outcome)  # type: ignore[attr-defined]
    context = {
        "patient": patient,
        "form": form,
        "not_ready": not_ready,
        "evaluations": evaluations,
        "can_see_rates": _can_review(request),
    }
    return render(request, "candidacy/page.html", context)


@require_GET
def evaluation_detail(request: HttpRequest, pk: int, evaluation_id: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk)
    evaluation = get_evaluation_for_user(request, patient, evaluation_id)
    return _render_evaluation(request, patient, evaluation, None)


@require_POST
def evaluation_accept(request: HttpRequest, pk: int, evaluation_id: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, write=True)
    require_role(request, *REVIEW_ROLES)
    evaluation = get_evaluation_for_user(request, patient, evaluation_id)
    try:
        actions.accept_evaluation(evaluation, user=request.user, request=request)
    except actions.AlreadyReviewed as exc:
        messages.info(request, _already_reviewed(exc.evaluation))
    else:
        messages.success(request, "Decision accepted.")
    return redirect("patient_candidacy:evaluation", pk=patient.pk, evaluation_id=evaluation.pk)


@require_POST
def evaluation_override(request: HttpRequest, pk: int, evaluation_id: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, write=True)
    require_role(request, *REVIEW_ROLES)
    evaluation = get_evaluation_for_user(request, patient, evaluation_id)
    here = redirect("patient_candidacy:evaluation", pk=patient.pk, evaluation_id=evaluation.pk)
    if evaluation.review != Review.PENDING:
        messages.info(request, _already_reviewed(evaluation))
        return here
    form = OverrideForm(request.POST, evaluation=evaluation)
    if not form.is_valid():
        return _render_evaluation(request, patient, evaluation, form)
    try:
        actions.override_evaluation(
            evaluation,
            user=request.user,
            reason=form.cleaned_data["reason"],
            outcome=form.cleaned_data["outcome"],
            criteria=form.cleaned_data["criteria"],
            note=form.cleaned_data["note"],
            request=request,
        )
    except actions.AlreadyReviewed as exc:
        messages.info(request, _already_reviewed(exc.evaluation))
    else:
        messages.success(request, "Override recorded.")
    return here


@require_POST
def evaluation_cosign(request: HttpRequest, pk: int, evaluation_id: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, write=True)
    require_role(request, *REVIEW_ROLES)
    evaluation = get_evaluation_for_user(request, patient, evaluation_id)
    here = redirect("patient_candidacy:evaluation", pk=patient.pk, evaluation_id=evaluation.pk)
    try:
        actions.cosign_override(evaluation, user=request.user, request=request)
    except actions.CosignRefused as exc:
        messages.error(request, str(exc))
    except actions.AlreadyReviewed:
        messages.info(request, "There is no override awaiting a co-signature. Nothing changed.")
    else:
        messages.success(request, "Override co-signed: it is now in effect.")
    return here


@require_GET
def consult_note_pdf(request: HttpRequest, pk: int, evaluation_id: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk)
    evaluation = get_evaluation_for_user(request, patient, evaluation_id)
    html = consult_note.render_html(
        evaluation, generated_at=timezone.now(), generated_by=request.user
    )
    pdf = consult_note.render_pdf(html)
    record(
        CANDIDACY_CONSULT_NOTE,
        request=request,
        clinic=patient.clinic,
        patient_id=patient.pk,
        obj=evaluation,
        details={"evaluation": evaluation.pk, "review": evaluation.review},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    # The file name carries ids only: a download folder is no place for a patient's name.
    response["Content-Disposition"] = (
        f'attachment; filename="consult-note-evaluation-{evaluation.pk}.pdf"'
    )
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def override_rates_page(request: HttpRequest) -> HttpResponse:
    clinic = get_clinic_for_user(request)
    require_role(request, *REVIEW_ROLES)
    form = OverrideRatesFilter(request.GET or None)
    protocol_id, version = form.selection()
    titles: dict[str, str] = {}
    # The default protocol's newest version last, so its titles win where ids are shared.
    ordered = sorted(list_protocols(), key=lambda p: (p.id == DEFAULT_PROTOCOL, p.version))
    for protocol in ordered:
        if protocol_id in (None, protocol.id) and version in (None, protocol.version):
            every = (*protocol.red_flags, *protocol.criteria, *protocol.level_criteria)
            titles.update((c.id, c.title) for c in every)
    rates, totals = override_rates(clinic, protocol_id=protocol_id, version=version, titles=titles)
    record(
        CANDIDACY_OVERRIDE_RATES,
        request=request,
        clinic=clinic,
        details={"protocol": protocol_id or "", "version": version},
    )
    context = {"form": form, "rates": rates, "totals": totals}
    return render(request, "candidacy/overrides.html", context)


def _render_evaluation(
    request: HttpRequest, patient: Patient, evaluation: Evaluation, form: OverrideForm | None
) -> HttpResponse:
    pending = evaluation.review == Review.PENDING
    can_review = _can_review(request)
    if form is None and pending and can_review:
        form = OverrideForm(evaluation=evaluation)
    latest_study = (
        MRIStudy.objects.filter(patient=patient).order_by("-study_date", "-id").only("id").first()
    )
    decision: dict[str, Any] = evaluation.decision
    context = {
        "patient": patient,
        "evaluation": evaluation,
        "decision": decision,
        "outcome_label": OUTCOME_LABELS.get(evaluation.outcome, evaluation.outcome),
        "outcome_headline": OUTCOME_HEADLINES.get(evaluation.outcome, ""),
        "override_outcome_label": OUTCOME_LABELS.get(evaluation.override_outcome, ""),
        "disputed_names": criterion_names(evaluation, evaluation.overridden_criteria),
        "final_label": OUTCOME_LABELS.get(
            evaluation.override_outcome
            if evaluation.review == Review.OVERRIDDEN
            else evaluation.outcome,
            evaluation.outcome,
        ),
        "groups": group_criteria(evaluation),
        "routes": routes_in_words(decision.get("routes", [])),
        "todos": todo_list(evaluation, latest_study_id=latest_study.pk if latest_study else None),
        "pending": pending,
        "can_review": can_review,
        "form": form,
    }
    return render(request, "candidacy/evaluation.html", context)


def _can_review(request: HttpRequest) -> bool:
    return bool(roles_in_clinic(request) & {role.value for role in REVIEW_ROLES})


def _already_reviewed(evaluation: Evaluation) -> str:
    who = evaluation.reviewed_by or "a colleague"
    when = (
        timezone.localtime(evaluation.reviewed_at, evaluation.patient.clinic.zone)
        if evaluation.reviewed_at
        else None
    )
    at = f" on {when:%d %b %Y at %H:%M %Z}" if when else ""
    verb = "accepted" if evaluation.review == Review.ACCEPTED else "overridden"
    return f"This decision was already {verb} by {who}{at}. Nothing was changed."
