"""A procedure or a discography is recorded only under the patient's signed consent.

The form shows the message at once; the action checks again, so no other caller (a command,
the API, a second tab) can record one without it.
"""

from __future__ import annotations

from annulus.consents.actions import valid_consent
from annulus.consents.models import ConsentKind, TreatmentConsent
from annulus.patients.models import Patient

MESSAGES = {
    ConsentKind.FIBRIN_PROCEDURE: (
        "Consent: the patient has not signed the fibrin procedure consent (current text). "
        "They must sign it, on the Consents page, before the procedure can be recorded."
    ),
    ConsentKind.DISCOGRAPHY: (
        "Consent: the patient has not signed the discography consent (current text). "
        "They must sign it, on the Consents page, before the discography can be recorded."
    ),
}


class ConsentRequired(ValueError):
    """No signed consent on the current text: nothing is recorded."""


def require_consent(patient: Patient, kind: str) -> TreatmentConsent:
    consent = valid_consent(patient, kind)
    if consent is None:
        raise ConsentRequired(MESSAGES[ConsentKind(kind)])
    return consent
