"""For tests elsewhere: a signed consent on the current text, without rendering its PDF."""

from __future__ import annotations

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
        estimate_items=[{"label": "Fee", "amount": "100.00"}],
        estimate_total=100,
        signed_at=timezone.now(),
        signed_name=f"{patient.first_name} {patient.last_name}",
        signed_channel=SigningChannel.TABLET,
        signed_statements=list(text.statement_ids),
    )
