"""Staff pages for a veteran's VA Community Care authorizations, visits and claims."""

from __future__ import annotations

from django.contrib import messages
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from annulus.accounts.access import get_for_user
from annulus.accounts.staff_request import StaffRequest
from annulus.audit.context import AuditContext
from annulus.lib.clock import clinic_today
from annulus.patients.access import get_patient_for_user
from annulus.patients.actions import (
    VisitRefused,
    record_va_visit,
    save_authorization,
    submit_claim,
)
from annulus.patients.models import AuthorizedVisit, CommunityCareAuthorization
from annulus.patients.va import (
    authorization_status,
    claim_deadline,
    day_label,
    patient_warnings,
)
from annulus.patients.va_forms import AuthorizationForm, ClaimForm, VisitForm


@require_GET
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk)
    today = clinic_today(patient)
    authorizations = patient.va_authorizations.prefetch_related("visits")
    statuses = [authorization_status(a, a.visits.all(), today) for a in authorizations]
    context = {
        "patient": patient,
        "statuses": statuses,
        "warnings": patient_warnings(patient, statuses, today),
        "today": today,
    }
    return render(request, "patients/va.html", context)


@require_http_methods(["GET", "POST"])
def authorization_edit(
    request: StaffRequest, pk: int, authorization_id: int | None = None
) -> HttpResponse:
    patient = get_patient_for_user(request, pk, write=request.method == "POST")
    authorization = (
        get_for_user(
            request,
            CommunityCareAuthorization,
            authorization_id,
            kind="va_authorization",
            patient=patient,
        )
        if authorization_id
        else CommunityCareAuthorization(patient=patient)
    )
    form = AuthorizationForm(request.POST or None, instance=authorization, patient=patient)
    if request.method == "POST" and form.is_valid():
        try:
            save_authorization(
                form.save(commit=False),
                actor=request.user,
                ctx=AuditContext.from_request(request),
            )
        except IntegrityError:
            form.full_clean()  # sent twice at once: now the first copy is there to name
            if form.is_valid():
                raise
        else:
            messages.success(request, "Authorization saved.")
            return redirect("va:overview", pk=patient.pk)
    context = {
        "patient": patient,
        "form": form,
        "authorization": authorization,
        "visits_used": len(form.visit_dates),
    }
    return render(request, "patients/va_authorization.html", context)


def count_visit(form: VisitForm, *, request: StaffRequest) -> bool:
    """Count the form's visit against its authorization, or add the error that says why not."""
    try:
        record_va_visit(
            form.save(commit=False), actor=request.user, ctx=AuditContext.from_request(request)
        )
    except VisitRefused as refused:
        form.add_error(refused.field, refused.message)
        return False
    return True


@require_http_methods(["GET", "POST"])
def visit_create(request: StaffRequest, pk: int, authorization_id: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, write=request.method == "POST")
    authorization = get_for_user(
        request,
        CommunityCareAuthorization,
        authorization_id,
        kind="va_authorization",
        patient=patient,
    )
    used = AuthorizedVisit.objects.filter(authorization=authorization).count()
    today = clinic_today(patient)
    form = VisitForm(
        request.POST or None,
        instance=AuthorizedVisit(authorization=authorization),
        initial={"visit_date": today},
        authorization=authorization,
        visits_used=used,
    )
    if request.method == "POST" and form.is_valid():
        try:
            counted = count_visit(form, request=request)
        except IntegrityError:
            counted = False
            form.full_clean()  # sent twice at once: now the first copy is there to name
            if form.is_valid():
                raise
        if counted:
            day = form.instance.visit_date
            messages.success(
                request,
                f"Visit of {day_label(day)} counted. "
                f"File its claim by {day_label(claim_deadline(day))}.",
            )
            return redirect("va:overview", pk=patient.pk)
    context = {
        "patient": patient,
        "form": form,
        "authorization": authorization,
        "visits_used": used,
        "visits_remaining": max(authorization.visits_authorized - used, 0),
        "days_to_expiry": (authorization.valid_to - today).days,
    }
    return render(request, "patients/va_visit.html", context)


@require_http_methods(["GET", "POST"])
def claim_submit(request: StaffRequest, pk: int, visit_id: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, write=request.method == "POST")
    visit = get_for_user(
        request,
        AuthorizedVisit.objects.select_related("authorization"),
        visit_id,
        kind="va_visit",
        patient=patient,
        owner="authorization.patient_id",
    )
    form = ClaimForm(
        request.POST or None,
        instance=visit,
        initial={"claim_submitted_on": visit.claim_submitted_on or clinic_today(patient)},
    )
    if request.method == "POST" and form.is_valid():
        submit_claim(
            form.save(commit=False), actor=request.user, ctx=AuditContext.from_request(request)
        )
        messages.success(
            request, f"Claim for the visit of {day_label(visit.visit_date)} marked sent."
        )
        return redirect("va:overview", pk=patient.pk)
    return render(
        request, "patients/va_claim.html", {"patient": patient, "form": form, "visit": visit}
    )
