"""The in-app outbox: what was sent, what failed and why, and a retry button."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from annulus.accounts.access import get_for_user
from annulus.accounts.staff_request import StaffRequest
from annulus.audit.actions import EMAIL_RETRY, EMAIL_VIEWED
from annulus.audit.record import record
from annulus.notifications.actions import retry_now
from annulus.notifications.models import OutboundEmail, Status


def _clinic_emails(request: StaffRequest) -> QuerySet[OutboundEmail]:
    # Emails not tied to a clinic (staff password resets) are not shown to clinics.
    return OutboundEmail.objects.filter(clinic=request.clinic)


def outbox(request: StaffRequest) -> HttpResponse:
    emails = _clinic_emails(request)
    status = request.GET.get("status", "")
    if status in Status.values:
        emails = emails.filter(status=status)
    query = request.GET.get("q", "").strip()
    if query:
        emails = emails.filter(Q(to__icontains=query) | Q(kind__icontains=query))
    page = Paginator(emails.defer("body_text", "body_html", "attachments"), 25).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "status": status, "q": query, "statuses": Status.choices}
    return render(request, "notifications/outbox.html", context)


def email_detail(request: StaffRequest, pk: int) -> HttpResponse:
    email = get_for_user(request, OutboundEmail, pk, kind="email")
    record(
        EMAIL_VIEWED,
        request=request,
        clinic=request.clinic,
        patient_id=email.patient_id,
        obj=email,
    )
    return render(request, "notifications/email_detail.html", {"email": email})


@require_POST
def email_retry(request: StaffRequest, pk: int) -> HttpResponse:
    email = get_for_user(request, OutboundEmail, pk, kind="email")
    retry_now(email)
    record(
        EMAIL_RETRY,
        request=request,
        clinic=request.clinic,
        patient_id=email.patient_id,
        obj=email,
    )
    return redirect("notifications:email_detail", pk=email.pk)
