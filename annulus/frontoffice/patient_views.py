"""A patient's front-desk pages: referring doctors and consult notes sent back, coverage, and
Good Faith Estimates. Every page goes through `get_patient_for_user` (audited, 404 elsewhere)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from annulus.accounts.access import get_for_user
from annulus.accounts.staff_request import StaffRequest
from annulus.audit.actions import GFE_PDF_REFUSED, GFE_PDF_VIEW
from annulus.audit.context import AuditContext
from annulus.audit.models import Outcome
from annulus.audit.record import record
from annulus.candidacy.models import Evaluation
from annulus.frontoffice import coverage_actions, note_actions, referral_actions
from annulus.frontoffice.gfe import EstimateUnavailable, read_verified_estimate
from annulus.frontoffice.models import (
    ConsultNoteShare,
    Coverage,
    GoodFaithEstimate,
    NoteChannel,
    PriceItem,
    Referral,
)
from annulus.frontoffice.staff_forms import (
    CoverageForm,
    EstimateForm,
    LinkDoctorForm,
    SendNoteForm,
)
from annulus.frontoffice.submit import submit
from annulus.patients.access import get_patient_for_user
from annulus.website.site import absolute_url


def _int_or_404(value: str) -> int:
    if not value.isdigit():
        raise Http404("No such referral.")
    return int(value)


@require_http_methods(["GET", "POST"])
def referrers(request: StaffRequest, pk: int) -> HttpResponse:
    write = request.method == "POST"
    patient = get_patient_for_user(request, pk, write=write)
    first_referral = Referral.objects.filter(lead__patient=patient).first()
    link_form = LinkDoctorForm(
        clinic=patient.clinic,
        prefix="link",
        initial={"doctor": first_referral.doctor_id if first_referral else None},
    )
    send_form = SendNoteForm(patient=patient, prefix="send")
    ctx = AuditContext.from_request(request)
    if write and request.POST.get("form") == "link":
        link_form = LinkDoctorForm(request.POST, clinic=patient.clinic, prefix="link")
        if link_form.is_valid():
            _link, created = referral_actions.link_doctor(
                patient, link_form.cleaned_data["doctor"], actor=request.user, ctx=ctx
            )
            messages.success(request, "Doctor linked." if created else "Already linked.")
            return redirect("patient_frontoffice:referrers", pk=patient.pk)
    elif write and request.POST.get("form") == "files":
        referral = get_for_user(
            request,
            Referral.objects.select_related("lead", "doctor"),
            _int_or_404(request.POST.get("referral", "")),
            kind="referral",
            owner="lead.patient_id",
            patient=patient,
        )
        added = referral_actions.file_referral_documents(
            patient, referral, actor=request.user, ctx=ctx
        )
        messages.success(request, f"{added} file(s) added to the patient's documents.")
        return redirect("patient_frontoffice:referrers", pk=patient.pk)
    elif write:
        send_form = SendNoteForm(request.POST, patient=patient, prefix="send")
        if send_form.is_valid():
            data = send_form.cleaned_data
            evaluation = get_for_user(
                request, Evaluation, data["evaluation"], kind="evaluation", patient=patient
            )
            try:
                if data["channel"] == NoteChannel.EMAIL:
                    note_actions.email_note(
                        patient,
                        data["doctor"],
                        evaluation,
                        base_url=absolute_url(request, "/"),
                        actor=request.user,
                        ctx=ctx,
                    )
                    done = "Consult note sent: the doctor gets an email with a secure link."
                else:
                    note_actions.mark_faxed(
                        patient,
                        data["doctor"],
                        evaluation,
                        fax_number=data["fax_number"],
                        faxed_on=data["faxed_on"],
                        actor=request.user,
                        ctx=ctx,
                    )
                    done = "Recorded: the consult note was faxed."
            except referral_actions.ReferralError as exc:
                send_form.add_error(
                    exc.field if exc.field in send_form.fields else None, exc.message
                )
            else:
                messages.success(request, done)
                return redirect("patient_frontoffice:referrers", pk=patient.pk)
    context = {
        "patient": patient,
        "links": patient.referrers.select_related("doctor"),
        "link_form": link_form,
        "send_form": send_form,
        "shares": ConsultNoteShare.objects.filter(patient=patient).select_related("doctor"),
        # Referrals through the website, when this patient came from a referred lead.
        "referrals": Referral.objects.filter(lead__patient=patient)
        .select_related("doctor")
        .prefetch_related("attachments"),
    }
    status = 400 if write and (link_form.errors or send_form.errors) else 200
    return render(request, "frontoffice/patient_referrers.html", context, status=status)


@require_http_methods(["GET", "POST"])
def coverage(request: StaffRequest, pk: int) -> HttpResponse:
    write = request.method == "POST"
    patient = get_patient_for_user(request, pk, write=write)
    current = Coverage.objects.filter(patient=patient).select_related("va_authorization").first()
    initial = {}
    if current is not None:
        initial = {
            f: getattr(current, f)
            for f in ("payer_type", "payer_name", "member_id", "group_number")
        }
        initial["authorization_number"] = current.authorization_number
        initial["va_authorization"] = current.va_authorization_id
    form = CoverageForm(request.POST or None, initial=initial, patient=patient)
    if write and form.is_valid():
        data = form.cleaned_data
        details = coverage_actions.CoverageDetails(
            payer_type=data["payer_type"],
            payer_name=data["payer_name"],
            member_id=data["member_id"],
            group_number=data["group_number"],
            authorization_number=data["authorization_number"],
            va_authorization_id=data["va_authorization"],
        )
        saved = submit(
            request,
            form,
            lambda: coverage_actions.save_coverage(
                patient, details, actor=request.user, ctx=AuditContext.from_request(request)
            ),
            done="Coverage saved.",
            to="patient_frontoffice:coverage",
            pk=patient.pk,
        )
        if saved is not None:
            return saved
    context = {"patient": patient, "form": form, "coverage": current}
    status = 400 if write and form.errors else 200
    return render(request, "frontoffice/coverage.html", context, status=status)


@require_http_methods(["GET", "POST"])
def estimates(request: StaffRequest, pk: int) -> HttpResponse:
    write = request.method == "POST"
    patient = get_patient_for_user(request, pk, write=write)
    form = EstimateForm(request.POST or None, clinic=patient.clinic)
    if write and form.is_valid():
        data = form.cleaned_data
        try:
            estimate, created = coverage_actions.issue_estimate(
                patient,
                coverage_actions.EstimateRequest(
                    service_description=data["service_description"],
                    quantities=form.quantities(),
                    expected_service_date=data["expected_service_date"],
                    diagnosis_codes=data["diagnosis_codes"],
                    provider_npi=data["provider_npi"].strip(),
                    provider_tin=data["provider_tin"].strip(),
                ),
                actor=request.user,
                ctx=AuditContext.from_request(request),
            )
        except coverage_actions.CoverageError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            if created:
                messages.success(request, f"Good Faith Estimate {estimate.number} issued.")
            else:
                messages.info(request, f"{estimate.number} was just issued; kept one copy.")
            return redirect("patient_frontoffice:estimates", pk=patient.pk)
    context = {
        "patient": patient,
        "form": form,
        "coverage": Coverage.objects.filter(patient=patient).first(),
        "estimates": GoodFaithEstimate.objects.filter(patient=patient),
        "has_prices": PriceItem.objects.filter(clinic=patient.clinic, active=True).exists(),
    }
    status = 400 if write and form.errors else 200
    return render(request, "frontoffice/estimates.html", context, status=status)


@require_GET
def estimate_pdf(request: StaffRequest, pk: int, estimate_id: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk)
    estimate = get_for_user(
        request, GoodFaithEstimate, estimate_id, kind="good_faith_estimate", patient=patient
    )
    try:
        data = read_verified_estimate(estimate)
    except EstimateUnavailable as exc:
        record(
            GFE_PDF_REFUSED,
            request=request,
            clinic=patient.clinic,
            patient_id=patient.pk,
            obj=estimate,
            outcome=Outcome.FAILURE,
        )
        response = HttpResponse(
            f"The estimate cannot be shown: {exc}.", status=409, content_type="text/plain"
        )
        response["Cache-Control"] = "no-store"
        return response
    record(
        GFE_PDF_VIEW,
        request=request,
        clinic=patient.clinic,
        patient_id=patient.pk,
        obj=estimate,
        details={"sha256": estimate.pdf_sha256},
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="good-faith-estimate-{estimate.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
