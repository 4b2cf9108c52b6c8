"""The clinic's protocol setting: the clinical director chooses; everyone on staff may read it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from annulus.accounts.access import require_role
from annulus.accounts.models import Role
from annulus.accounts.session import roles_in_clinic
from annulus.accounts.staff_request import StaffRequest
from annulus.audit.context import AuditContext
from annulus.candidacy.clinic_protocol import clinic_protocol, set_clinic_protocol
from annulus.candidacy.engine import UnknownProtocolError
from annulus.candidacy.forms import ClinicProtocolForm


@require_http_methods(["GET", "POST"])
def clinic_protocol_setting(request: StaffRequest) -> HttpResponse:
    clinic = request.clinic
    is_director = Role.DIRECTOR.value in roles_in_clinic(request)
    if request.method == "POST":
        require_role(request, Role.DIRECTOR)
    form = ClinicProtocolForm(request.POST or None, clinic=clinic)
    if request.method == "POST" and form.is_valid():
        try:
            protocol = set_clinic_protocol(
                clinic,
                form.cleaned_data["protocol"],
                actor=request.user,
                ctx=AuditContext.from_request(request),
            )
        except UnknownProtocolError:
            form.add_error("protocol", "Protocol the clinic uses: that protocol is not released.")
        else:
            messages.success(
                request, f"The clinic now evaluates with {protocol.id} version {protocol.version}."
            )
            return redirect("candidacy:protocol_setting")
    context = {"form": form, "current": clinic_protocol(clinic), "is_director": is_director}
    return render(request, "candidacy/protocol_setting.html", context)
