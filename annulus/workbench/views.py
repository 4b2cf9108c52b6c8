"""The staff workbench: the home page and the clinic's own settings."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from annulus.accounts.access import get_clinic_for_user, get_membership_for_user
from annulus.accounts.actions import update_clinic_settings
from annulus.accounts.forms import ClinicForm
from annulus.accounts.models import Membership
from annulus.accounts.session import roles_in_clinic
from annulus.accounts.staff_request import StaffRequest
from annulus.audit.actions import VA_WARNINGS_READ
from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.patients.va import va_warnings
from annulus.safety.queries import open_alerts
from annulus.workbench import worklist


def home(request: HttpRequest) -> HttpResponse:
    clinic = get_clinic_for_user(request)
    today = datetime.now(clinic.zone).date()
    roles = roles_in_clinic(request)
    wanted = worklist.sections_for(roles)
    warnings = va_warnings(clinic, today) if "va" in wanted else []
    if warnings:
        record(VA_WARNINGS_READ, request=request, clinic=clinic, details={"count": len(warnings)})
    context = {
        "clinic": clinic,
        "roles": sorted(roles),
        "va_warnings": warnings,
        "open_alerts": list(open_alerts(clinic)) if "alerts" in wanted else [],
        "show_patient": True,
        "sections": worklist.build(clinic, request.user, roles, today),
    }
    return render(request, "workbench/home.html", context)


def staff_list(request: HttpRequest) -> HttpResponse:
    clinic = get_clinic_for_user(request)
    members = (
        Membership.objects.filter(clinic=clinic).select_related("user").order_by("user__email")
    )
    return render(request, "workbench/staff_list.html", {"members": members})


def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_membership_for_user(request, pk)
    return render(request, "workbench/staff_detail.html", {"membership": membership})


@require_http_methods(["GET", "POST"])
def clinic_settings(request: StaffRequest) -> HttpResponse:
    clinic = get_clinic_for_user(request, write=True)
    form = ClinicForm(request.POST or None, instance=clinic)
    if request.method == "POST" and form.is_valid():
        update_clinic_settings(
            form.save(commit=False),
            actor=request.user,
            ctx=AuditContext.from_request(request),
            changed=form.changed_data,
        )
        messages.success(request, "Clinic details saved.")
        return redirect("workbench:clinic_settings")
    return render(request, "workbench/clinic_settings.html", {"form": form})
