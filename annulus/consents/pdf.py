"""The signed consent as a PDF: the text the patient agreed to, their ticks, the cost estimate,
and the signature (typed name, time, IP, channel, text version and its SHA-256).

Rendered by WeasyPrint with the consult note's fetcher, which refuses every outside resource.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from annulus.candidacy.consult_note import render_pdf
from annulus.consents.models import TreatmentConsent
from annulus.consents.texts import ConsentText


def consent_context(consent: TreatmentConsent, text: ConsentText) -> dict[str, Any]:
    patient = consent.patient
    signed_local = consent.signed_at.astimezone(patient.clinic.zone) if consent.signed_at else None
    return {
        "consent": consent,
        "text": text,
        "patient": patient,
        "clinic": patient.clinic,
        "ticked": set(consent.signed_statements or []),
        "signed_local": signed_local,
        "generated_at": timezone.now(),
    }


def render_consent_pdf(consent: TreatmentConsent, text: ConsentText) -> bytes:
    html = render_to_string("consents/consent_pdf.html", consent_context(consent, text))
    return render_pdf(html)


class PdfMismatch(Exception):
    """The stored file is missing or its SHA-256 is not the one recorded at signing."""


def read_verified_pdf(consent: TreatmentConsent) -> bytes:
    if not consent.pdf or not consent.pdf_sha256:
        raise PdfMismatch("no PDF is stored for this consent")
    try:
        with consent.pdf.open("rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise PdfMismatch("the stored PDF cannot be read") from exc
    if hashlib.sha256(data).hexdigest() != consent.pdf_sha256:
        raise PdfMismatch("the stored PDF does not match the SHA-256 recorded at signing")
    return data
