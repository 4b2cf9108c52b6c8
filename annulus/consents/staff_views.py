"""Staff pages: a patient's consents, prepare one with its estimate, open it for signing on a
tablet or through the patient's link, and read the signed PDF (audited, never cached)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from annulus.accounts.access import deny
from annulus.accounts.staff_request import StaffRequest
from annulus.audit.actions import CONSENT_PDF_REFUSED, CONSENT_PDF_VIEW
from annulus.audit.context import AuditContext
from annulus.audit.models import Outcome
from annulus.audit.record import record
from annulus.consents.actions import (
    AlreadySigned,
    ConsentError,
    open_for_signing,
    prepare_consent,
)
from annulus.consents.forms import PrepareConsentForm
from annulus.consents.models import SigningChannel, TreatmentConsent
from annulus.consents.pdf import PdfMismatch, read_verified_pdf
from annulus.consents.texts import current_version
from annulus.patients.access import get_patient_for_user
from annulus.patients.models import Patient


def _consent_for(request: StaffRequest, patient: Patient, consent_id: int) -> TreatmentConsent:
    consent = TreatmentConsent.objects.filter(pk=consent_id).first()
    if consent is None:
        raise Http404("No such consent.")
    if consent.patient_id != patient.pk:
        deny(request, kind="treatment_consent", pk=consent_id, patient_id=patient.pk)
    return consent


@require_http_methods(["GET", "POST"])
def consent_list(request: StaffRequest, pk: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk, write=request.method == "POST")
    form = PrepareConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            consent = prepare_consent(
                patient,
                kind=form.cleaned_data["kind"],
                estimate=form.cleaned_data["estimate"],
                user=request.user,
                ctx=AuditContext.from_request(request),
            )
        except AlreadySigned as exc:
            form.add_error(
                "kind",
                f"Consent for: the patient already signed version {exc.consent.text_version} "
                "of this consent, the current one.",
            )
        except ConsentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Consent prepared. Open it for signing below.")
            return redirect("consents:list", pk=patient.pk)
    consents = list(TreatmentConsent.objects.filter(patient=patient))
    for consent in consents:
        consent.current = consent.text_version == current_version(consent.kind)  # type: ignore[attr-defined]
    context = {"patient": patient, "form": form, "consents": consents}
    return render(request, "consents/list.html", context)


@require_POST
def consent_open(request: StaffRequest, pk: int, consent_id: int) -> HttpResponse:
    """`channel=tablet`: this device goes straight to the signing page, for the patient.
    `channel=link`: the link is shown once, to send to the patient."""
    patient = get_patient_for_user(request, pk, write=True)
    consent = _consent_for(request, patient, consent_id)
    channel = request.POST.get("channel", "")
    if channel not in SigningChannel.values:
        messages.error(request, "Choose the tablet or the patient's link.")
        return redirect("consents:list", pk=patient.pk)
    try:
        token, expires = open_for_signing(
            consent, channel=channel, user=request.user, ctx=AuditContext.from_request(request)
        )
    except AlreadySigned:
        messages.error(request, "This consent is already signed.")
        return redirect("consents:list", pk=patient.pk)
    # The signing page opens in the language of the text prepared (/es/consent/... in Spanish).
    with translation.override(consent.text_language):
        path = reverse("consent_public:start", args=[token])
    if channel == SigningChannel.TABLET:
        to_signing = redirect(path)
        to_signing["Referrer-Policy"] = "no-referrer"
        to_signing["Cache-Control"] = "no-store"
        return to_signing
    url = request.build_absolute_uri(path)
    context = {"patient": patient, "url": url, "expires_at": expires, "consent": consent}
    response = render(request, "consents/link.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def consent_pdf(request: StaffRequest, pk: int, consent_id: int) -> HttpResponse:
    patient = get_patient_for_user(request, pk)
    consent = _consent_for(request, patient, consent_id)
    try:
        data = read_verified_pdf(consent)
    except PdfMismatch as exc:
        record(
            CONSENT_PDF_REFUSED,
            request=request,
            clinic=patient.clinic,
            patient_id=patient.pk,
            obj=consent,
            outcome=Outcome.FAILURE,
            details={"reason": "sha256" if "SHA-256" in str(exc) else "missing"},
        )
        response = HttpResponse(
            f"The consent PDF cannot be shown: {exc}.", status=409, content_type="text/plain"
        )
        response["Cache-Control"] = "no-store"
        return response
    record(
        CONSENT_PDF_VIEW,
        request=request,
        clinic=patient.clinic,
        patient_id=patient.pk,
        obj=consent,
        details={"sha256": consent.pdf_sha256},
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="consent-{consent.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
