"""The in-app outbox: what was sent, what failed and why, and a retry button."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from annulus.audit.record import record
from annulus.notifications.actions import retry_now
from annulus.notifications.models import OutboundEmail, Status


def _clinic_emails(request: HttpRequest) -> QuerySet[OutboundEmail]:
    # Emails not tied to a clinic (staff password resets) are not shown to clinics.
    return OutboundEmail.objects.filter(clinic=request.clinic)  # type: ignore[attr-defined]


def get_email_for_user(request: HttpRequest, pk: int) -> OutboundEmail:
    email = OutboundEmail.objects.filter(pk=pk).first()
    if email is None:
        raise Http404("No such email.")
    if email.clinic_id != request.clinic.pk:  # type: ignore[attr-defined]
        from annulus.accounts.access import deny

        deny(request, kind="email", pk=pk, patient_id=email.patient_id)
    return email


def outbox(request: HttpRequest) -> HttpResponse:
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


def email_detail(request: HttpRequest, pk: int) -> HttpResponse:
    email = get_email_for_user(request, pk)
    record(
        "email.viewed",
        request=request,
        clinic=request.clinic,  # type: ignore[attr-defined]
        patient_id=email.patient_id,
        obj=email,
    )
    return render(request, "notifications/email_detail.html", {"email": email})


@require_POST
def email_retry(request: HttpRequest, pk: int) -> HttpResponse:
    email = get_email_for_user(request, pk)
    retry_now(email)
    record(
        "email.retry",
        request=request,
        clinic=request.clinic,  # type: ignore[attr-defined]
        patient_id=email.patient_id,
        obj=email,
    )
    return redirect("notifications:email_detail", pk=email.pk)
