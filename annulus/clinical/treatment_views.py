"""Staff pages for the treatment record: fibrin procedures, adverse events, referrals elsewhere."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from annulus.accounts.access import get_for_user
from annulus.accounts.staff_request import StaffRequest
from annulus.audit.context import AuditContext
from annulus.clinical.actions import record_adverse_event, record_procedure, refer_elsewhere
from annulus.clinical.adverse_event_forms import AdverseEventForm
from annulus.clinical.consent_gate import ConsentRequired
from annulus.clinical.models import AdverseEvent, AlternativeReferral, FibrinProcedure
from annulus.clinical.treatment_forms import AlternativeReferralForm, FibrinProcedureForm
from annulus.consents.actions import valid_consent
from annulus.consents.models import ConsentKind
from annulus.patients.access import get_patient_for_user
from annulus.patients.models import Patient


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
def procedure_create(request: StaffRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, write=request.method == "POST")
    form = FibrinProcedureForm(
        request.POST or None,
        instance=FibrinProcedure(patient=patient),
        patient=patient,
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            record_procedure(
                form.save(commit=False), actor=request.user, ctx=AuditContext.from_request(request)
            )
        except IntegrityError:
            # The same form sent twice at once: the second save hits the unique constraint.
            # Validating again now finds the first one and says so at the date field.
            form.full_clean()
            if form.is_valid():
                raise
        except ConsentRequired as exc:  # withdrawn or replaced since the form was checked
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Procedure recorded. The patient is now at stage Treated.")
            return redirect("clinical:treatment", pk=patient.pk)
    context = {
        "patient": patient,
        "form": form,
        "consent": valid_consent(patient, ConsentKind.FIBRIN_PROCEDURE),
    }
    return render(request, "clinical/treatment_procedure.html", context)


@require_http_methods(["GET", "POST"])
def adverse_event_create(request: StaffRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, write=request.method == "POST")
    initial = {}
    linked = request.GET.get("procedure", "")
    if request.method == "GET" and linked.isdigit():
        procedure = get_for_user(
            request, FibrinProcedure, int(linked), kind="fibrin_procedure", patient=patient
        )
        initial["procedure"] = procedure.pk
    form = AdverseEventForm(
        request.POST or None,
        instance=AdverseEvent(patient=patient),
        initial=initial,
        patient=patient,
    )
    if request.method == "POST" and form.is_valid():
        record_adverse_event(
            form.save(commit=False), actor=request.user, ctx=AuditContext.from_request(request)
        )
        messages.success(request, "Adverse event recorded.")
        return redirect("clinical:treatment", pk=patient.pk)
    return render(
        request, "clinical/treatment_adverse_event.html", {"patient": patient, "form": form}
    )


@require_http_methods(["GET", "POST"])
def referral_create(request: StaffRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, write=request.method == "POST")
    form = AlternativeReferralForm(
        request.POST or None, instance=AlternativeReferral(patient=patient), patient=patient
    )
    if request.method == "POST" and form.is_valid():
        try:
            refer_elsewhere(
                form.save(commit=False), actor=request.user, ctx=AuditContext.from_request(request)
            )
        except IntegrityError:
            form.full_clean()
            if form.is_valid():
                raise
        else:
            messages.success(request, "Referral recorded.")
            return redirect("clinical:treatment", pk=patient.pk)
    return render(request, "clinical/treatment_referral.html", {"patient": patient, "form": form})
