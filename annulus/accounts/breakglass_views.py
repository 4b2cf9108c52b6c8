"""Break-glass pages: open emergency access to one patient; directors review what was opened."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from annulus.accounts import breakglass
from annulus.accounts.access import deny
from annulus.accounts.models import BreakGlass
from annulus.audit.context import AuditContext
from annulus.patients.models import Patient


@require_http_methods(["GET", "POST"])
def open_access(request: HttpRequest, pk: int) -> HttpResponse:
    clinic = request.clinic  # type: ignore[attr-defined]
    patient = Patient.objects.filter(pk=pk, clinic=clinic).first()
    if patient is None:
        deny(request, kind="patient", pk=pk)
    error, reason, status = "", "", 200
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        try:
            breakglass.open_break_glass(
                user=request.user,
                clinic=clinic,
                patient=patient,
                reason=reason,
                ctx=AuditContext.from_request(request),
                base_url=request.build_absolute_uri("/"),
            )
        except breakglass.BreakGlassError as exc:
            error, status = exc.message, 400
        else:
            return redirect("patients:detail", pk=pk)
    context = {"patient_id": pk, "error": error, "reason": reason,
               "minutes": int(breakglass.DURATION.total_seconds() // 60)}  # fmt: skip
    return render(request, "accounts/break_glass.html", context, status=status)


@require_http_methods(["GET", "POST"])
def reviews(request: HttpRequest) -> HttpResponse:
    clinic = request.clinic  # type: ignore[attr-defined]
    if request.method == "POST":
        grant = BreakGlass.objects.filter(pk=request.POST.get("grant") or 0, clinic=clinic).first()
        if grant is None:
            deny(request, kind="break_glass", pk=request.POST.get("grant", ""))
        breakglass.review(grant=grant, reviewer=request.user, note=request.POST.get("note", ""),
                          ctx=AuditContext.from_request(request))  # fmt: skip
        return redirect("breakglass:reviews")
    items = BreakGlass.objects.filter(clinic=clinic).select_related("user", "reviewed_by")[:200]
    context = {"items": items, "overdue": breakglass.overdue(clinic),
               "review_within_days": breakglass.REVIEW_WITHIN.days}  # fmt: skip
    return render(request, "accounts/break_glass_reviews.html", context)
