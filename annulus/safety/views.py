"""Staff pages for alerts: the list, one alert with its acknowledgement, and the adverse event."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from annulus.accounts.access import deny
from annulus.accounts.staff_request import StaffRequest
from annulus.audit.context import AuditContext
from annulus.clinical.adverse_event_forms import AdverseEventForm
from annulus.clinical.models import AdverseEvent
from annulus.patients.access import get_patient_for_user
from annulus.safety import actions, delivery
from annulus.safety.forms import AcknowledgeForm
from annulus.safety.models import Alert
from annulus.safety.queries import open_alerts


def _alert_for_user(request: StaffRequest, pk: int, *, write: bool = False) -> Alert:
    alert = Alert.objects.select_related("patient", "acknowledged_by").filter(pk=pk).first()
    if alert is None:
        raise Http404("No such alert.")
    if alert.clinic_id != request.clinic.pk:
        deny(request, kind="alert", pk=pk, patient_id=alert.patient_id)
    get_patient_for_user(request, alert.patient_id, write=write)
    return alert


def alert_list(request: StaffRequest) -> HttpResponse:
    show_all = request.GET.get("all") == "1"
    alerts = (
        Alert.objects.filter(clinic=request.clinic)
        .select_related("patient", "acknowledged_by")
        .order_by("-created_at")[:200]
        if show_all
        else open_alerts(request.clinic)
    )
    return render(request, "safety/alert_list.html", {"alerts": alerts, "show_all": show_all})


@require_http_methods(["GET", "POST"])
def alert_detail(request: StaffRequest, pk: int) -> HttpResponse:
    alert = _alert_for_user(request, pk, write=request.method == "POST")
    form = AcknowledgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _, new = actions.acknowledge_alert(
                alert,
                actor=request.user,
                ctx=AuditContext.from_request(request),
                action=form.cleaned_data["action"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            if new:
                messages.success(request, "Alert acknowledged.")
            else:
                messages.info(request, "This alert was already acknowledged.")
            return redirect("safety:alert", pk=alert.pk)
    context = {"alert": alert, "form": form, "emails": delivery.alert_emails(alert)}
    return render(request, "safety/alert_detail.html", context)


@require_http_methods(["GET", "POST"])
def adverse_event_from_alert(request: StaffRequest, pk: int) -> HttpResponse:
    alert = _alert_for_user(request, pk, write=True)
    if alert.adverse_event_id is not None:
        messages.info(request, "An adverse event is already recorded from this alert.")
        return redirect("clinical:treatment", pk=alert.patient_id)
    patient = alert.patient
    form = AdverseEventForm(
        request.POST or None,
        instance=AdverseEvent(patient=patient),
        initial=actions.prefill(alert),
        patient=patient,
    )
    if request.method == "POST" and form.is_valid():
        actions.record_adverse_event_from_alert(
            alert,
            form.save(commit=False),
            actor=request.user,
            ctx=AuditContext.from_request(request),
        )
        messages.success(request, "Adverse event recorded and the alert acknowledged.")
        return redirect("clinical:treatment", pk=patient.pk)
    context = {"patient": patient, "form": form, "alert": alert}
    return render(request, "safety/adverse_event.html", context)
