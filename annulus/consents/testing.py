"""For tests elsewhere: a signed consent on the current text, without rendering its PDF, and
the language a stored PDF declares."""

from __future__ import annotations

import re
import zlib

from django.utils import timezone

from annulus.consents.models import SigningChannel, TreatmentConsent
from annulus.consents.texts import load_text
from annulus.patients.models import Patient


def signed_consent(patient: Patient, kind: str = "fibrin-procedure") -> TreatmentConsent:
    text = load_text(kind)
    return TreatmentConsent.objects.create(
        patient=patient,
        kind=kind,
        text_version=text.version,
        text_sha256=text.sha256,
        text_language=text.language,
        estimate_items=[{"label": "Fee", "amount": "100.00"}],
        estimate_total=100,
        signed_at=timezone.now(),
        signed_name=f"{patient.first_name} {patient.last_name}",
        signed_channel=SigningChannel.TABLET,
        signed_statements=list(text.statement_ids),
    )


def pdf_language(data: bytes) -> str:
    """The document language a WeasyPrint PDF declares (`/Lang`, from `<html lang>`), or "".

    WeasyPrint keeps the catalog in a compressed object stream, so the streams are inflated.
    """
    chunks = [data]
    for start in re.finditer(rb"stream\r?\n", data):
        try:
            chunks.append(zlib.decompressobj().decompress(data[start.end() :]))
        except zlib.error:
            continue
    for chunk in chunks:
        found = re.search(rb"/Lang \(([A-Za-z-]+)\)", chunk)
        if found:
            return found.group(1).decode()
    return ""
