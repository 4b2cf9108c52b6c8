"""Coordinators' pages: the leads list with filters and CSV export, one lead, conversion."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, time
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from annulus.accounts.access import get_for_user, require_role
from annulus.accounts.models import Role
from annulus.accounts.staff_request import StaffRequest
from annulus.audit.actions import LEAD_EXPORTED
from annulus.audit.record import record
from annulus.leads import actions
from annulus.leads.forms import ConvertLeadForm, LeadFilterForm
from annulus.leads.guide_pdf import build_guide_pdf
from annulus.leads.models import Lead, LeadStatus

LEAD_ROLES = (Role.COORDINATOR, Role.DIRECTOR, Role.ADMIN)
PAGE_SIZE = 25
CSV_COLUMNS = [
    ("created", "Requested on"),
    ("first_name", "First name"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("heard_about", "Heard about us"),
    ("status", "Status"),
    ("contact", "Contact"),
    ("requests", "Requests"),
    ("consent", "Consent wording"),
]


def get_lead_for_user(request: StaffRequest, pk: int) -> Lead:
    """A lead of the current clinic; another clinic's lead is a 404 and an audit event."""
    require_role(request, *LEAD_ROLES)
    return get_for_user(request, Lead.objects.select_related("clinic", "patient"), pk, kind="lead")


def _filtered(request: StaffRequest) -> tuple[QuerySet[Lead], LeadFilterForm]:
    require_role(request, *LEAD_ROLES)
    leads = Lead.objects.in_clinic(request.clinic)
    form = LeadFilterForm(request.GET)
    if not form.is_valid():
        # A hand-edited query string: show everything rather than an error page.
        return leads, LeadFilterForm()
    f = form.cleaned_data
    if f["status"]:
        leads = leads.filter(status=f["status"])
    if f["heard_about"]:
        leads = leads.filter(heard_about=f["heard_about"])
    if f["contact"] == "ok":
        leads = leads.contactable()
    elif f["contact"] == "unsubscribed":
        leads = leads.filter(unsubscribed_at__isnull=False)
    zone = request.clinic.zone
    if f["since"]:
        leads = leads.filter(created_at__gte=datetime.combine(f["since"], time.min, tzinfo=zone))
    if f["until"]:
        leads = leads.filter(created_at__lte=datetime.combine(f["until"], time.max, tzinfo=zone))
    if f["q"]:
        leads = leads.filter(Q(first_name__icontains=f["q"]) | Q(email__icontains=f["q"]))
    return leads, form


@require_safe
def lead_list(request: StaffRequest) -> HttpResponse:
    leads, form = _filtered(request)
    page = Paginator(leads, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": page, "filters": form, "query": query.urlencode(), "total": leads.count()}
    return render(request, "leads/staff/list.html", context)


def csv_safe(value: Any) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    if text[:1] in ("\t", "\r") or text.lstrip()[:1] in ("=", "+", "-", "@"):
        return "'" + text
    return text


@require_safe
def lead_export(request: StaffRequest) -> HttpResponse:
    leads, form = _filtered(request)
    zone = request.clinic.zone
    stamp = datetime.now(UTC).astimezone(zone).strftime("%Y-%m-%d")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="leads-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow([label for _, label in CSV_COLUMNS])
    count = 0
    for lead in leads.iterator(chunk_size=500):
        row = {
            "created": lead.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            "first_name": lead.first_name,
            "email": lead.email,
            "phone": lead.phone,
            "heard_about": lead.get_heard_about_display() if lead.heard_about else "",
            "status": lead.get_status_display(),
            "contact": "unsubscribed" if lead.unsubscribed else "may contact",
            "requests": lead.request_count,
            "consent": lead.consent_wording_version,
        }
        writer.writerow([csv_safe(row[key]) for key, _ in CSV_COLUMNS])
        count += 1
    filters = {k: str(v) for k, v in form.cleaned_data.items() if v} if form.is_bound else {}
    record(
        LEAD_EXPORTED,
        request=request,
        clinic=request.clinic,
        details={"rows": count, "filters": sorted(filters)},
    )
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def lead_detail(request: StaffRequest, pk: int) -> HttpResponse:
    lead = get_lead_for_user(request, pk)
    initial = {"first_name": lead.first_name, "email": lead.email, "phone": lead.phone}
    form = ConvertLeadForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            patient = actions.convert_lead(
                request,
                lead,
                first_name=d["first_name"],
                last_name=d["last_name"],
                email=d["email"],
                phone=d["phone"],
                veteran=d["veteran"],
            )
        except actions.AlreadyConverted:
            messages.error(request, "This lead is already a patient.")
        else:
            messages.success(request, f"Lead converted into patient record {patient.pk}.")
        return redirect("leads_staff:detail", pk=lead.pk)
    context = {"lead": lead, "form": form, "converted": lead.status == LeadStatus.CONVERTED}
    return render(request, "leads/staff/detail.html", context)


@require_POST
def lead_contacted(request: StaffRequest, pk: int) -> HttpResponse:
    lead = get_lead_for_user(request, pk)
    actions.mark_contacted(request, lead)
    return redirect("leads_staff:detail", pk=lead.pk)


@require_safe
def guide_preview(request: StaffRequest) -> HttpResponse:
    """The PDF exactly as it is emailed, for checking an edit to content/guide.md."""
    pdf = build_guide_pdf(request.clinic)
    response = HttpResponse(pdf.content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf.filename}"'
    return response
