"""The access report pages: staff produce the PDF from the patient's record; the patient asks
for it from their secure intake link (the clinic answers; docs/security.md says why)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from annulus.accounts.policy import public
from annulus.accounts.staff_request import StaffRequest
from annulus.audit.context import AuditContext
from annulus.patients.access import get_patient_for_user
from annulus.patients.access_report import AccessReportForm, TooManyEntries
from annulus.patients.actions import produce_access_report, request_access_report
from annulus.patients.intake_link_views import SESSION_KEY, _active_link, _private
from annulus.patients.models import AccessReportRequest


@require_http_methods(["GET", "POST"])
def access_report(request: StaffRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk)
    today = datetime.now(patient.clinic.zone).date()
    form = AccessReportForm(request.POST or None, today=today)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                pdf = produce_access_report(
                    patient,
                    start=form.cleaned_data["date_from"],
                    end=form.cleaned_data["date_to"],
                    actor=request.user,
                    ctx=AuditContext.from_request(request),
                )
            except TooManyEntries as exc:
                form.add_error("date_from", str(exc))
            else:
                response = HttpResponse(pdf, content_type="application/pdf")
                name = f"access-report-patient-{patient.pk}.pdf"
                response["Content-Disposition"] = f'inline; filename="{name}"'
                response["Cache-Control"] = "no-store"
                return response
    context = {
        "patient": patient,
        "form": form,
        "requests": AccessReportRequest.objects.filter(patient=patient).order_by("-requested_at"),
    }
    return render(request, "patients/access_report.html", context, status=status)


@public
@require_http_methods(["GET", "POST"])
def request_report(request: HttpRequest) -> HttpResponse:
    """The patient's side: ask the clinic for the report of who accessed their record."""
    link = _active_link(request.session.get(SESSION_KEY))
    if link is None:
        return _private(render(request, "patients/intake_link_invalid.html", status=404))
    patient = link.patient
    if request.method == "POST":
        request_access_report(patient, ctx=AuditContext.from_request(request))
        return _private(redirect("intake_public:access_report"))
    context = {
        "clinic": patient.clinic,
        "pending": AccessReportRequest.objects.filter(patient=patient, fulfilled_at=None).first(),
    }
    return _private(render(request, "patients/access_report_request.html", context))
