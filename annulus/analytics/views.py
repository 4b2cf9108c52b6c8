"""Staff pages: the outcomes report (page, CSV, PDF) and publishing the fibrin summary.

Clinicians and the clinical director read it; only the director publishes. Every access is
audited through ``actions.audit_report`` (filters and counts, no PHI).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from annulus.accounts.access import require_role
from annulus.accounts.models import Role
from annulus.accounts.staff_request import StaffRequest
from annulus.analytics import actions
from annulus.analytics import render as report_render
from annulus.analytics.models import MIN_DUE_TO_PUBLISH, PublishedSnapshot
from annulus.analytics.queries import ARM_LABELS, ARMS, Filters
from annulus.analytics.report import build_report
from annulus.audit.context import AuditContext

READ_ROLES = (Role.CLINICIAN, Role.DIRECTOR)


def _filters(request: StaffRequest) -> tuple[Filters, list[str]]:
    errors = []
    arm = request.GET.get("arm") or None
    if arm is not None and arm not in ARMS:
        errors.append(f"Arm: choose one of {', '.join(ARM_LABELS.values())}.")
        arm = None
    days: dict[str, date | None] = {}
    for name, label in (("treated_from", "Treated from"), ("treated_to", "Treated to")):
        value = request.GET.get(name) or None
        try:
            days[name] = date.fromisoformat(value) if value else None
        except ValueError:
            errors.append(f"{label}: write the day as YYYY-MM-DD.")
            days[name] = None
    return Filters(clinic_id=request.clinic.pk, arm=arm, **days), errors


def _report(request: StaffRequest, fmt: str) -> tuple[dict[str, Any], list[str]]:
    require_role(request, *READ_ROLES)
    filters, errors = _filters(request)
    report = build_report(filters, report_render.today_for(request.clinic))
    actions.audit_report(report, fmt=fmt, ctx=AuditContext.from_request(request),
                         user=request.user, clinic=request.clinic)  # fmt: skip
    return report, errors


def _query(report: dict[str, Any]) -> str:
    return urlencode({k: v for k, v in report["filters"].items() if v})


def report_page(request: StaffRequest) -> HttpResponse:
    report, errors = _report(request, "html")
    is_director = request.membership.role == Role.DIRECTOR
    fibrin = next((a for a in report["arms"] if a["arm"] == actions.PUBLISHED_ARM), None)
    publishable = [
        p for p in (fibrin["time_points"] if fibrin else []) if p["due"] >= MIN_DUE_TO_PUBLISH
    ]
    context = {
        "report": report,
        "arms": report_render.chart_context(report),
        "arm_choices": list(ARM_LABELS.items()),
        "errors": errors,
        "query": _query(report),
        "can_publish": is_director and bool(publishable),
        "publishable": publishable,
        "min_due": MIN_DUE_TO_PUBLISH,
        "latest": PublishedSnapshot.objects.filter(clinic=request.clinic).first(),
    }
    return render(request, "analytics/report.html", context)


def report_csv(request: StaffRequest) -> HttpResponse:
    report, _ = _report(request, "csv")
    response = HttpResponse(report_render.csv_text(report), content_type="text/csv")
    response["Content-Disposition"] = (
        f'attachment; filename="outcomes-{report["generated_on"]}.csv"'
    )
    response["Cache-Control"] = "no-store"
    return response


def report_pdf(request: StaffRequest) -> HttpResponse:
    report, _ = _report(request, "pdf")
    response = HttpResponse(report_render.pdf(report, clinic=request.clinic),
                            content_type="application/pdf")  # fmt: skip
    response["Content-Disposition"] = f'inline; filename="outcomes-{report["generated_on"]}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def publish(request: StaffRequest) -> HttpResponse:
    require_role(request, Role.DIRECTOR)
    try:
        snapshot = actions.publish_snapshot(
            clinic=request.clinic,
            code=request.POST.get("code", ""),
            user=request.user,
            ctx=AuditContext.from_request(request),
            today=report_render.today_for(request.clinic),
        )
    except actions.PublishError as exc:
        messages.error(request, str(exc))
    else:
        label = snapshot.data["time_point"]["label"]
        messages.success(request, f"Published the fibrin summary at {label}.")
    return redirect("analytics:report")
