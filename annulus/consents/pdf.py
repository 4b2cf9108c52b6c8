"""The signed consent as a PDF: the text the patient agreed to, their ticks, the cost estimate,
and the signature (typed name, time, IP, channel, text version and its SHA-256).

Rendered by WeasyPrint with the consult note's fetcher, which refuses every outside resource.
The copy is in the language of the text signed (the patient's), so they can read what they got.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from annulus.candidacy.consult_note import render_pdf
from annulus.consents.models import SigningChannel, TreatmentConsent
from annulus.consents.texts import ConsentText

# The channel in the patient's words (the model's labels are for staff pages, in English).
CHANNEL_WORDS: dict[str, str] = {
    SigningChannel.TABLET: gettext_noop("On a clinic tablet"),
    SigningChannel.LINK: gettext_noop("Through the patient's secure link"),
}


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
        "channel": gettext(CHANNEL_WORDS.get(consent.signed_channel, consent.signed_channel)),
        "generated_at": timezone.now(),
    }


def render_consent_pdf(consent: TreatmentConsent, text: ConsentText) -> bytes:
    with translation.override(text.language):
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
