"""The director's page for FHIR API clients: create (token shown once), list, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from annulus.accounts.access import require_role
from annulus.accounts.models import Role
from annulus.accounts.staff_request import StaffRequest
from annulus.audit.context import AuditContext
from annulus.interop import actions
from annulus.interop.forms import ClientForm
from annulus.interop.models import FhirClient


@require_http_methods(["GET", "POST"])
def clients(request: StaffRequest) -> HttpResponse:
    require_role(request, Role.DIRECTOR)
    form = ClientForm(request.POST or None)
    token = None
    if request.method == "POST" and form.is_valid():
        created = actions.create_client(
            actor=request.user,
            ctx=AuditContext.from_request(request),
            clinic=request.clinic,
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            days=form.cleaned_data["days"],
        )
        token = created.token
        form = ClientForm()
    listed = FhirClient.objects.filter(clinic=request.clinic).select_related("created_by")
    response = render(
        request, "interop/clients.html", {"form": form, "clients": listed, "token": token}
    )
    response["Cache-Control"] = "no-store"  # the page may show a token once
    return response


@require_http_methods(["POST"])
def revoke(request: StaffRequest, pk: int) -> HttpResponse:
    require_role(request, Role.DIRECTOR)
    client = FhirClient.objects.filter(pk=pk, clinic=request.clinic).first()
    if client is None:
        raise Http404("No such client.")
    actions.revoke_client(actor=request.user, ctx=AuditContext.from_request(request), client=client)
    messages.success(request, f"Revoked {client.name}.")
    return redirect("fhir_clients:list")
