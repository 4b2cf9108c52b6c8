"""Staff pages for imaging, discography and diagnostic blocks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from annulus.accounts.access import deny
from annulus.audit.context import AuditContext
from annulus.candidacy.needs import imaging_needs
from annulus.clinical.forms import DiscographyForm, InjectionForm, MRIStudyForm, grid_name
from annulus.clinical.models import DiagnosticInjection, Discogram, LevelFinding, MRIStudy
from annulus.patients.access import get_patient_for_user
from annulus.patients.history import delete_clinical, save_clinical
from annulus.patients.models import Patient
from annulus.safety.actions import schedule_check_ins


def get_study_for_user(request: HttpRequest, patient: Patient, study_id: int) -> MRIStudy:
    study = MRIStudy.objects.filter(pk=study_id).first()
    if study is None:
        raise Http404("No such MRI study.")
    if study.patient_id != patient.pk:
        deny(request, kind="mri_study", pk=study_id, patient_id=patient.pk)
    return study


def _save_levels(
    request: HttpRequest, patient: Patient, study: MRIStudy, values: dict[str, Any]
) -> None:
    existing = {f.level: f for f in LevelFinding.objects.filter(study=study)}
    for level, row in values.items():
        finding = existing.pop(level, None) or LevelFinding(study=study, level=level)
        for name, value in row.items():
            setattr(
                finding, name, "" if value is None and name in ("contour", "stenosis") else value
            )
        save_clinical(finding, patient=patient, user=request.user, request=request)
    for finding in existing.values():  # a row emptied in the grid
        delete_clinical(finding, patient=patient, user=request.user, request=request)


@require_http_methods(["GET", "POST"])
def imaging_edit(request: HttpRequest, pk: int, study_id: int | None = None) -> HttpResponse:
    patient = get_patient_for_user(request, pk, write=request.method == "POST")
    study = (
        get_study_for_user(request, patient, study_id) if study_id else MRIStudy(patient=patient)
    )
    form = MRIStudyForm(request.POST or None, instance=study)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            study = save_clinical(
                form.save(commit=False), patient=patient, user=request.user, request=request
            )  # type: ignore[assignment]
            _save_levels(request, patient, study, form.level_values())
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
def discography(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, write=request.method == "POST")
    form = DiscographyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        day = form.cleaned_data["performed_on"]
        with transaction.atomic():
            for level, row in form.level_values().items():
                disc = Discogram.objects.filter(
                    patient=patient, performed_on=day, level=level
                ).first()
                disc = disc or Discogram(patient=patient, performed_on=day, level=level)
                for name, value in row.items():
                    setattr(disc, name, value)
                save_clinical(disc, patient=patient, user=request.user, request=request)
            schedule_check_ins(
                patient,
                procedure_kind="discography",
                procedure_ref=f"Discography:{day.isoformat()}",
                procedure_on=day,
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
def injection_create(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, write=request.method == "POST")
    form = InjectionForm(request.POST or None, instance=DiagnosticInjection(patient=patient))
    if request.method == "POST" and form.is_valid():
        injection = save_clinical(
            form.save(commit=False), patient=patient, user=request.user, request=request
        )
        schedule_check_ins(
            patient,
            procedure_kind="diagnostic_block",
            procedure_ref=f"DiagnosticInjection:{injection.pk}",
            procedure_on=form.cleaned_data["performed_on"],
            actor=request.user,
            ctx=AuditContext.from_request(request),
        )
        messages.success(request, "Saved.")
        return redirect("patients:detail", pk=patient.pk)
    recent = DiagnosticInjection.objects.filter(patient=patient)[:20]
    return render(
        request, "clinical/injection.html", {"patient": patient, "form": form, "recent": recent}
    )
