"""Clinic-wide front-desk pages: referring doctors, incoming referrals and the price list.

Thin views: parse, authorize (permissions.yaml and the clinic of each object), call an action,
render. Opening a referral or one of its files is audited.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from annulus.accounts.access import get_for_user
from annulus.accounts.staff_request import StaffRequest
from annulus.audit.actions import REFERRAL_ATTACHMENT_VIEW, REFERRAL_READ
from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.documents.content import BY_CONTENT_TYPE
from annulus.documents.storage import document_storage
from annulus.frontoffice import coverage_actions, referral_actions
from annulus.frontoffice.models import PriceItem, Referral, ReferralAttachment, ReferringDoctor
from annulus.frontoffice.staff_forms import DoctorForm, PriceItemForm
from annulus.frontoffice.submit import submit

MAX_LISTED = 200


def _details(form: DoctorForm) -> referral_actions.DoctorDetails:
    data = form.cleaned_data
    return referral_actions.DoctorDetails(
        name=data["name"].strip(),
        practice=data["practice"].strip(),
        npi=data["npi"],
        email=(data["email"] or "").lower(),
        fax=data["fax"],
    )


@require_http_methods(["GET", "POST"])
def doctors(request: StaffRequest) -> HttpResponse:
    form = DoctorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        details = _details(form)
        saved = submit(
            request,
            form,
            lambda: referral_actions.save_doctor(
                request.clinic, details, actor=request.user, ctx=AuditContext.from_request(request)
            ),
            done="Referring doctor added.",
            to="referrers:list",
        )
        if saved is not None:
            return saved
    listed = ReferringDoctor.objects.filter(clinic=request.clinic)[:MAX_LISTED]
    context = {"form": form, "doctors": listed}
    status = 400 if form.errors else 200
    return render(request, "frontoffice/doctors.html", context, status=status)


@require_http_methods(["GET", "POST"])
def doctor_edit(request: StaffRequest, doctor_id: int) -> HttpResponse:
    doctor = get_for_user(request, ReferringDoctor, doctor_id, kind="referring_doctor")
    initial = {f: getattr(doctor, f) for f in ("name", "practice", "npi", "email", "fax")}
    form = DoctorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        details = _details(form)
        saved = submit(
            request,
            form,
            lambda: referral_actions.save_doctor(
                request.clinic,
                details,
                doctor=doctor,
                actor=request.user,
                ctx=AuditContext.from_request(request),
            ),
            done="Referring doctor saved.",
            to="referrers:list",
        )
        if saved is not None:
            return saved
    context = {"form": form, "doctor": doctor, "referrals": doctor.referrals.all()[:50]}
    status = 400 if form.errors else 200
    return render(request, "frontoffice/doctor_edit.html", context, status=status)


@require_GET
def referrals(request: StaffRequest) -> HttpResponse:
    listed = (
        Referral.objects.filter(clinic=request.clinic)
        .select_related("lead", "doctor")
        .prefetch_related("attachments")[:MAX_LISTED]
    )
    return render(request, "frontoffice/referrals.html", {"referrals": listed})


@require_GET
def referral_detail(request: StaffRequest, referral_id: int) -> HttpResponse:
    referral = get_for_user(
        request, Referral.objects.select_related("lead", "doctor"), referral_id, kind="referral"
    )
    record(
        REFERRAL_READ,
        request=request,
        clinic=request.clinic,
        patient_id=referral.lead.patient_id,
        obj=referral,
    )
    context = {"referral": referral, "attachments": referral.attachments.all()}
    return render(request, "frontoffice/referral.html", context)


@require_GET
def referral_file(request: StaffRequest, referral_id: int, file_id: int) -> HttpResponseBase:
    referral = get_for_user(request, Referral, referral_id, kind="referral")
    attachment = ReferralAttachment.objects.filter(pk=file_id, referral=referral).first()
    file_type = BY_CONTENT_TYPE.get(attachment.content_type) if attachment else None
    if attachment is None or file_type is None:
        raise Http404("No such file.")
    try:
        handle = document_storage().open(attachment.storage_name, "rb")
    except FileNotFoundError:
        raise Http404("The stored file is missing.") from None
    record(
        REFERRAL_ATTACHMENT_VIEW,
        request=request,
        clinic=request.clinic,
        obj=attachment,
        details={"referral": referral.pk},
    )
    response = FileResponse(
        handle,
        filename=f"referral-{referral.pk}-{attachment.pk}.{file_type.extension}",
        content_type=file_type.content_type,
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["GET", "POST"])
def price_list(request: StaffRequest) -> HttpResponse:
    return _price_form(request, None)


@require_http_methods(["GET", "POST"])
def price_edit(request: StaffRequest, item_id: int) -> HttpResponse:
    item = get_for_user(request, PriceItem, item_id, kind="price_item")
    return _price_form(request, item)


def _price_form(request: StaffRequest, item: PriceItem | None) -> HttpResponse:
    initial = {}
    if item is not None:
        initial = {
            "code": item.code,
            "description": item.description,
            "amount": f"{item.amount_cents / 100:.2f}",
            "active": item.active,
        }
    form = PriceItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = submit(
            request,
            form,
            lambda: coverage_actions.save_price_item(
                request.clinic,
                code=data["code"],
                description=data["description"],
                amount_cents=data["amount"],
                active=data["active"],
                item=item,
                actor=request.user,
                ctx=AuditContext.from_request(request),
            ),
            done="Price list saved.",
            to="price_list:list",
        )
        if saved is not None:
            return saved
    context = {
        "form": form,
        "item": item,
        "prices": PriceItem.objects.filter(clinic=request.clinic),
    }
    status = 400 if form.errors else 200
    return render(request, "frontoffice/price_list.html", context, status=status)
