"""Demo consents: signed through the same actions as a real one (PDF and hash included)."""

from __future__ import annotations

from decimal import Decimal

from annulus.audit.context import AuditContext
from annulus.consents.actions import (
    EstimateItem,
    open_for_signing,
    prepare_consent,
    sign_consent,
    valid_consent,
)
from annulus.consents.models import SigningChannel, TreatmentConsent
from annulus.consents.texts import load_text
from annulus.patients.models import Patient

DEMO_ESTIMATE = {
    "fibrin-procedure": [
        EstimateItem("Procedure fee (demo price)", Decimal("3200.00")),
        EstimateItem("Fibrin sealant (demo price)", Decimal("850.00")),
    ],
    "discography": [EstimateItem("Provocation discography (demo price)", Decimal("1400.00"))],
}


def sign_demo_consent(patient: Patient, kind: str, *, ctx: AuditContext) -> TreatmentConsent:
    """The patient's signed consent of `kind`, signing one (on the tablet) when there is none."""
    existing = valid_consent(patient, kind)
    if existing is not None:
        return existing
    consent = prepare_consent(patient, kind=kind, estimate=DEMO_ESTIMATE[kind], user=None, ctx=ctx)
    open_for_signing(consent, channel=SigningChannel.TABLET, user=None, ctx=ctx)
    return sign_consent(
        consent,
        typed_name=f"{patient.first_name} {patient.last_name}",
        accepted=list(load_text(kind).statement_ids),
        ctx=ctx,
    )
