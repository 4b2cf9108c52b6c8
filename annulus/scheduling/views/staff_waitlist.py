"""The staff view of the waitlist: who waits for which service, offers out, add and remove."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from annulus.accounts.access import get_clinic_for_user, require_role
from annulus.accounts.staff_request import StaffRequest
from annulus.audit.actions import WAITLIST_VIEWED
from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.lib.site import site_base
from annulus.patients.access import WRITE_ROLES
from annulus.scheduling import actions
from annulus.scheduling.forms import StaffWaitlistForm
from annulus.scheduling.models import OPEN, Service, WaitlistEntry

PAGE_SIZE = 50
ADDED_EMAILED = "Added to the waitlist. The patient is emailed a link to see or leave their place."
ADDED_NO_EMAIL = "Added to the waitlist. The patient has no email address: tell them by phone."


@require_http_methods(["GET", "POST"])
def waitlist(request: StaffRequest) -> HttpResponse:
    """Open entries by service, oldest first (the order offers go out), a page at a time and
    filtered by service (`?service=<slug>`); POST adds a patient."""
    clinic = get_clinic_for_user(request)
    form = StaffWaitlistForm(request.POST or None, clinic=clinic)
    status = 200
    if request.method == "POST":
        require_role(request, *WRITE_ROLES)
        status = 400
        if form.is_valid():
            try:
                actions.join_waitlist(
                    form.cleaned_data["service"],
                    form.cleaned_data["patient"],
                    actor=request.user,
                    ctx=AuditContext.from_request(request),
                    own_link=True,
                    base=site_base(request),
                )
            except actions.BookingError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = 422
            else:
                emailed = bool(form.cleaned_data["patient"].email)
                messages.success(request, ADDED_EMAILED if emailed else ADDED_NO_EMAIL)
                return redirect("scheduling_staff:waitlist")
    services = list(Service.objects.filter(clinic=clinic).order_by("name"))
    chosen = request.GET.get("service", "")
    entries = WaitlistEntry.objects.filter(clinic=clinic, status__in=OPEN)
    if chosen:
        entries = entries.filter(service__slug=chosen)
    entries = entries.select_related("service", "patient", "service__location").order_by(
        "service__name", "joined_at", "id"
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    record(
        WAITLIST_VIEWED,
        request=request,
        clinic=clinic,
        details={"entries": len(page.object_list), "page": page.number},
    )
    context = {
        "page": page,
        "total": page.paginator.count,
        "services": services,
        "chosen": chosen,
        "form": form,
        "zone": clinic.zone,
    }
    return render(request, "scheduling/staff/waitlist.html", context, status=status)


@require_POST
def waitlist_remove(request: StaffRequest, pk: int) -> HttpResponse:
    clinic = get_clinic_for_user(request)
    require_role(request, *WRITE_ROLES)
    entry = WaitlistEntry.objects.filter(clinic=clinic, pk=pk).first()
    if entry is None:
        messages.error(request, "That waitlist entry was not found.")
        return redirect("scheduling_staff:waitlist")
    try:
        actions.remove_from_waitlist(
            entry, actor=request.user, ctx=AuditContext.from_request(request)
        )
    except actions.NotAllowed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Removed from the waitlist.")
    return redirect("scheduling_staff:waitlist")
