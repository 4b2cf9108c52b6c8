"""Staff pages for imaging, discography and diagnostic blocks."""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from annulus.accounts.access import get_for_user
from annulus.accounts.staff_request import StaffRequest
from annulus.audit.context import AuditContext
from annulus.candidacy.needs import imaging_needs
from annulus.clinical.actions import record_discography, record_injection, save_mri_study
from annulus.clinical.forms import DiscographyForm, InjectionForm, MRIStudyForm, grid_name
from annulus.clinical.models import DiagnosticInjection, Discogram, MRIStudy
from annulus.patients.access import get_patient_for_user


@require_http_methods(["GET", "POST"])
def imaging_edit(request: StaffRequest, pk: int, study_id: int | None = None) -> HttpResponse:
    patient = get_patient_for_user(request, pk, write=request.method == "POST")
    study = (
        get_for_user(request, MRIStudy, study_id, kind="mri_study", patient=patient)
        if study_id
        else MRIStudy(patient=patient)
    )
    form = MRIStudyForm(request.POST or None, instance=study)
    if request.method == "POST" and form.is_valid():
        study = save_mri_study(
            form.save(commit=False),
            form.level_values(),
            actor=request.user,
            ctx=AuditContext.from_request(request),
        )
        messages.success(request, "MRI findings saved.")
        return redirect("clinical:imaging", pk=patient.pk, study_id=study.pk)
    needs = imaging_needs(patient, datetime.now(UTC).date())
    needed_names = {grid_name(level, f) for level, fields in needs.items() for f in fields}
    context = {
        "patient": patient,
        "study": study,
        "form": form,
        "needed": needed_names,
        "needs": needs,
    }
    return render(request, "clinical/imaging.html", context)


@require_http_methods(["GET", "POST"])
def discography(request: StaffRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, write=request.method == "POST")
    form = DiscographyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        record_discography(
            patient,
            form.cleaned_data["performed_on"],
            form.level_values(),
            actor=request.user,
            ctx=AuditContext.from_request(request),
        )
        messages.success(request, "Discography saved.")
        return redirect("clinical:discography", pk=patient.pk)
    sessions = Discogram.objects.filter(patient=patient).order_by("-performed_on", "level")
    return render(
        request,
        "clinical/discography.html",
        {"patient": patient, "form": form, "sessions": sessions},
    )


@require_http_methods(["GET", "POST"])
def injection_create(request: StaffRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, write=request.method == "POST")
    form = InjectionForm(request.POST or None, instance=DiagnosticInjection(patient=patient))
    if request.method == "POST" and form.is_valid():
        record_injection(
            form.save(commit=False), actor=request.user, ctx=AuditContext.from_request(request)
        )
        messages.success(request, "Saved.")
        return redirect("patients:detail", pk=patient.pk)
    recent = DiagnosticInjection.objects.filter(patient=patient)[:20]
    return render(
        request, "clinical/injection.html", {"patient": patient, "form": form, "recent": recent}
    )
