"""Staff pages for the treatment record: fibrin procedures, adverse events, referrals elsewhere."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from annulus.accounts.access import deny
from annulus.audit.context import AuditContext
from annulus.clinical.models import AdverseEvent, AlternativeReferral, FibrinProcedure
from annulus.clinical.treatment_forms import (
    AdverseEventForm,
    AlternativeReferralForm,
    FibrinProcedureForm,
)
from annulus.patients.access import get_patient_for_user
from annulus.patients.history import save_clinical
from annulus.patients.models import Patient, Stage
from annulus.safety.actions import schedule_check_ins


def get_procedure_for_user(
    request: HttpRequest, patient: Patient, procedure_id: int
) -> FibrinProcedure:
    """One of `patient`'s fibrin procedures; another patient's is a 404 and an audit event."""
    procedure = FibrinProcedure.objects.filter(pk=procedure_id).first()
    if procedure is None:
        raise Http404("No such procedure.")
    if procedure.patient_id != patient.pk:
        deny(request, kind="fibrin_procedure", pk=procedure_id, patient_id=patient.pk)
    return procedure


def record_procedure(
    procedure: FibrinProcedure, *, patient: Patient, request: HttpRequest
) -> FibrinProcedure:
    """Save a fibrin procedure and move the patient to `treated`, in one transaction.

    The first procedure also sets `Patient.procedure_date`, which anchors the follow-up schedule;
    a later one leaves it alone. Both rows get their change history and audit event. The patient
    row is locked and read again, so a colleague's concurrent edit of their details survives.
    """
    with transaction.atomic():
        save_clinical(
            procedure,
            patient=patient,
            user=request.user,
            request=request,
            audit_action="fibrin_procedure.record",
        )
        schedule_check_ins(
            patient,
            procedure_kind="fibrin",
            procedure_ref=f"FibrinProcedure:{procedure.pk}",
            procedure_on=procedure.performed_on,
            actor=request.user,
            ctx=AuditContext.from_request(request),
        )
        current = Patient.objects.select_for_update().get(pk=patient.pk)
        before = (current.stage, current.procedure_date)
        current.stage = Stage.TREATED
        if current.procedure_date is None:
            current.procedure_date = procedure.performed_on
        if (current.stage, current.procedure_date) != before:
            save_clinical(
                current,
                patient=patient,
                user=request.user,
                request=request,
                audit_action="patient.treated",
            )
    patient.stage, patient.procedure_date = current.stage, current.procedure_date
    return procedure


@dataclass(frozen=True)
class ProcedureRow:
    procedure: FibrinProcedure
    volumes: list[tuple[str, Any]]
    total_ml: float


def _procedure_rows(patient: Patient) -> list[ProcedureRow]:
    rows = []
    for p in FibrinProcedure.objects.filter(patient=patient).select_related("operator"):
        volumes = [(level, (p.volume_ml_per_level or {}).get(level)) for level in p.levels]
        total = sum(float(v) for _, v in volumes if v is not None)
        rows.append(ProcedureRow(p, volumes, round(total, 2)))
    return rows


@require_GET
def treatment(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk)
    events = list(AdverseEvent.objects.filter(patient=patient).select_related("procedure"))
    context = {
        "patient": patient,
        "procedures": _procedure_rows(patient),
        "events": events,
        "serious_count": sum(1 for e in events if e.serious),
        "discitis_count": sum(1 for e in events if e.discitis),
        "referrals": AlternativeReferral.objects.filter(patient=patient),
    }
    return render(request, "clinical/treatment.html", context)


@require_http_methods(["GET", "POST"])
def procedure_create(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, write=request.method == "POST")
    form = FibrinProcedureForm(
        request.POST or None,
        instance=FibrinProcedure(patient=patient),
        patient=patient,
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            record_procedure(form.save(commit=False), patient=patient, request=request)
        except IntegrityError:
            # The same form sent twice at once: the second save hits the unique constraint.
            # Validating again now finds the first one and says so at the date field.
            form.full_clean()
            if form.is_valid():
                raise
        else:
            messages.success(request, "Procedure recorded. The patient is now at stage Treated.")
            return redirect("clinical:treatment", pk=patient.pk)
    return render(request, "clinical/treatment_procedure.html", {"patient": patient, "form": form})


@require_http_methods(["GET", "POST"])
def adverse_event_create(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, write=request.method == "POST")
    initial = {}
    linked = request.GET.get("procedure", "")
    if request.method == "GET" and linked.isdigit():
        initial["procedure"] = get_procedure_for_user(request, patient, int(linked)).pk
    form = AdverseEventForm(
        request.POST or None,
        instance=AdverseEvent(patient=patient),
        initial=initial,
        patient=patient,
    )
    if request.method == "POST" and form.is_valid():
        save_clinical(
            form.save(commit=False),
            patient=patient,
            user=request.user,
            request=request,
            audit_action="adverse_event.record",
        )
        messages.success(request, "Adverse event recorded.")
        return redirect("clinical:treatment", pk=patient.pk)
    return render(
        request, "clinical/treatment_adverse_event.html", {"patient": patient, "form": form}
    )


@require_http_methods(["GET", "POST"])
def referral_create(request: HttpRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, write=request.method == "POST")
    form = AlternativeReferralForm(
        request.POST or None, instance=AlternativeReferral(patient=patient), patient=patient
    )
    if request.method == "POST" and form.is_valid():
        try:
            save_clinical(
                form.save(commit=False),
                patient=patient,
                user=request.user,
                request=request,
                audit_action="alternative_referral.record",
            )
        except IntegrityError:
            form.full_clean()
            if form.is_valid():
                raise
        else:
            messages.success(request, "Referral recorded.")
            return redirect("clinical:treatment", pk=patient.pk)
    return render(request, "clinical/treatment_referral.html", {"patient": patient, "form": form})
