"""Staff pages for the patient record: list, page with timeline, details, intake, history."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from annulus.accounts.access import get_clinic_for_user, require_role
from annulus.accounts.staff_request import StaffRequest
from annulus.audit.actions import PATIENT_LIST
from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.patients.access import WRITE_ROLES, get_patient_for_user
from annulus.patients.actions import (
    create_patient,
    issue_intake_link,
    review_intake,
    save_intake,
    update_patient,
)
from annulus.patients.forms import IntakeForm, PatientFilterForm, PatientForm
from annulus.patients.models import ChangeRecord, Intake, IntakeLink, Patient
from annulus.patients.search import search
from annulus.patients.timeline import timeline
from annulus.safety.queries import open_alerts
from annulus.scheduling.upcoming import next_start, upcoming_for


def patient_list(request: HttpRequest) -> HttpResponse:
    """Patients with their next appointment (one subquery, not a query per row) and phone.

    Filters that cannot be read show their error and nobody, never the whole list as if
    nothing had been asked (a 400).
    """
    clinic = get_clinic_for_user(request)
    form = PatientFilterForm(request.GET or None, clinic=clinic)
    patients: QuerySet[Any] = (
        Patient.objects.in_clinic(clinic)
        .select_related("clinician")
        .annotate(next_start=next_start(timezone.now()))
    )
    status = 200
    if form.is_bound and not form.is_valid():
        patients = patients.none()
        status = 400
    elif form.is_bound:
        if query := form.cleaned_data["q"]:
            patients = search(patients, query)
        if stage := form.cleaned_data["stage"]:
            patients = patients.filter(stage=stage)
        if clinician := form.cleaned_data["clinician"]:
            patients = patients.filter(clinician_id=clinician)
    # The page is chosen over ids (the clinic/name index, nothing else computed), then only its
    # 25 rows get their next appointment: on the last of 4,000 pages the subquery otherwise ran
    # for every patient before the sort skipped them (issue 13). The page's ids stay a subquery
    # (IN (SELECT … LIMIT 25 OFFSET n)), so this is still one query for the rows.
    page = Paginator(patients.values_list("pk", flat=True), 25).get_page(request.GET.get("page"))
    page.object_list = list(patients.filter(pk__in=page.object_list))
    record(PATIENT_LIST, request=request, clinic=clinic, details={"count": len(page)})
    context = {"form": form, "page": page, "zone": clinic.zone}
    return render(request, "patients/list.html", context, status=status)


@require_http_methods(["GET", "POST"])
def patient_create(request: StaffRequest) -> HttpResponse:
    clinic = get_clinic_for_user(request)
    require_role(request, *WRITE_ROLES)
    form = PatientForm(request.POST or None, clinic=clinic)
    if request.method == "POST" and form.is_valid():
        patient = create_patient(
            clinic,
            actor=request.user,
            ctx=AuditContext.from_request(request),
            **form.cleaned_data,
        )
        messages.success(request, "Patient added.")
        return redirect("patients:detail", pk=patient.pk)
    return render(request, "patients/form.html", {"form": form, "title": "New patient"})


def patient_detail(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk)
    intake = Intake.objects.filter(patient=patient).first()
    context = {
        "patient": patient,
        "upcoming": upcoming_for(patient, now=timezone.now()),
        "intake": intake,
        "entries": timeline(patient),
        "authorizations": patient.va_authorizations.prefetch_related("visits"),
        "open_alerts": list(open_alerts(patient.clinic, patient=patient)),
        "survey_invitation": _open_survey(patient),
    }
    return render(request, "patients/detail.html", context)


def _open_survey(patient: Patient) -> object:
    """The follow-up time point open now, if any: staff can issue a fresh link to copy."""
    from django.utils import timezone

    from annulus.outcomes.actions import open_invitation

    return open_invitation(patient, timezone.now())


@require_http_methods(["GET", "POST"])
def patient_edit(request: StaffRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, write=True)
    form = PatientForm(request.POST or None, instance=patient, clinic=patient.clinic)
    if request.method == "POST" and form.is_valid():
        update_patient(
            patient,
            actor=request.user,
            ctx=AuditContext.from_request(request),
            **form.cleaned_data,
        )
        messages.success(request, "Details saved.")
        return redirect("patients:detail", pk=patient.pk)
    context = {"form": form, "title": f"Edit {patient}", "patient": patient}
    return render(request, "patients/form.html", context)


@require_http_methods(["GET", "POST"])
def intake_edit(request: StaffRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, write=request.method == "POST")
    intake = Intake.objects.filter(patient=patient).first() or Intake(patient=patient)
    form = IntakeForm(request.POST or None, instance=intake)
    if request.method == "POST" and form.is_valid():
        save_intake(
            form.save(commit=False), actor=request.user, ctx=AuditContext.from_request(request)
        )
        messages.success(request, "Intake saved.")
        return redirect("patients:detail", pk=patient.pk)
    links = IntakeLink.objects.filter(patient=patient, revoked_at__isnull=True).order_by("-id")
    context = {"form": form, "patient": patient, "intake": intake, "links": links[:3]}
    return render(request, "patients/intake.html", context)


@require_POST
def intake_review(request: StaffRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, write=True)
    intake = Intake.objects.filter(patient=patient).first()
    if intake is None:
        messages.error(request, "There is no intake to review yet.")
        return redirect("patients:intake", pk=patient.pk)
    review_intake(intake, actor=request.user, ctx=AuditContext.from_request(request))
    messages.success(request, "Intake marked as reviewed.")
    return redirect("patients:intake", pk=patient.pk)


@require_POST
def intake_link_create(request: StaffRequest, pk: int) -> HttpResponse:
    """Make a new secret link for the patient; older links stop working."""
    patient = get_patient_for_user(request, pk, write=True)
    link, token = issue_intake_link(
        patient, actor=request.user, ctx=AuditContext.from_request(request)
    )
    url = request.build_absolute_uri(f"/intake/{token}/")
    context = {"patient": patient, "url": url, "expires_at": link.expires_at}
    return render(request, "patients/intake_link.html", context)


def change_history(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk)
    changes = ChangeRecord.objects.filter(patient=patient).select_related("changed_by")
    page = Paginator(changes, 50).get_page(request.GET.get("page"))
    return render(request, "patients/history.html", {"patient": patient, "page": page})
