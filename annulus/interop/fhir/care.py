"""Appointment, surveys, the candidacy decision, the consult note, Consent and Provenance."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.resource import Resource

from annulus.interop.codes import (
    ANNULUS,
    ANNULUS_CANDIDACY,
    ANNULUS_CONSENT,
    ANNULUS_PROTOCOL,
    ANNULUS_QUESTIONNAIRE,
    CONSENT_SCOPE,
    LOINC,
    PROVENANCE_PARTICIPANT,
    SCORE_CODES,
    US_CORE_DOC_CATEGORY,
    coding,
    concept,
)
from annulus.interop.fhir.base import (
    build,
    fhir_instant,
    organization_ref,
    patient_ref,
    practitioner_ref,
    ref,
)
from annulus.interop.fhir.clinical import score_observation

APPOINTMENT_STATUS = {
    "booked": "booked",
    "arrived": "arrived",
    "no_show": "noshow",
    "cancelled": "cancelled",
}


def appointment_resource(appt: Any) -> Resource:
    participants: list[dict[str, Any]] = [
        {"actor": patient_ref(appt.patient_id), "status": "accepted", "required": "required"},
        {"actor": ref("Location", f"location-{appt.location_id}"), "status": "accepted"},
    ]
    for occ in appt.occupancies.all():
        user_id = occ.resource.user_id
        if user_id:
            participants.append(
                {"actor": ref("Practitioner", f"user-{user_id}"), "status": "accepted"}
            )
    data = {
        "id": f"appointment-{appt.pk}",
        "status": APPOINTMENT_STATUS.get(appt.status, "booked"),
        "serviceType": [{"text": appt.service.name}],
        "start": fhir_instant(appt.start),
        "end": fhir_instant(appt.end),
        "created": fhir_instant(appt.created_at),
        "participant": participants,
    }
    return build("Appointment", data)


def questionnaire_url(instrument_id: str) -> str:
    return f"{ANNULUS_QUESTIONNAIRE}/{instrument_id}"


def questionnaire_resource(instrument: Any) -> Resource:
    """The instrument's structure only: items by linkId and answer values, never their text.

    Licensed wording (ODI, RMDQ, PROMIS, EQ-5D) may not leave the clinic, so no item carries
    `text` and choice options carry their stored value alone.
    """
    items = []
    for item in instrument.items:
        if item.kind == "choice":
            items.append(
                {
                    "linkId": item.id,
                    "type": "choice",
                    "required": not item.may_skip,
                    "answerOption": [{"valueInteger": v} for v in item.values],
                }
            )
        else:
            items.append({"linkId": item.id, "type": "integer", "required": not item.may_skip})
    data = {
        "id": f"instrument-{instrument.id}",
        "url": questionnaire_url(instrument.id),
        "version": instrument.version,
        "name": instrument.id.replace("-", "_").upper(),
        "title": instrument.title,
        "status": "active",
        "subjectType": ["Patient"],
        "item": items,
    }
    return build("Questionnaire", data)


def questionnaire_response_resources(ir: Any, patient_id: int) -> list[Resource]:
    response = ir.response
    authored = fhir_instant(response.submitted_at or response.closed_at or response.updated_at)
    complete = response.finished and ir.answered == ir.expected
    qr = build(
        "QuestionnaireResponse",
        {
            "id": f"qr-{ir.pk}",
            # The language the questions were read in (blank on answers from before it was
            # stored: left out). The questionnaire named below is the same in either language.
            "language": ir.language,
            "questionnaire": f"{questionnaire_url(ir.instrument_id)}|{ir.instrument_version}",
            "status": "completed" if complete else "in-progress",
            "subject": patient_ref(patient_id),
            "author": patient_ref(patient_id),
            "authored": authored,
            "item": [
                {"linkId": link_id, "answer": [{"valueInteger": int(value)}]}
                for link_id, value in (ir.answers or {}).items()
                if isinstance(value, int | float)
            ],
        },
    )
    out = [qr]
    if ir.score is not None and ir.instrument_id in SCORE_CODES:
        out.append(
            score_observation(
                f"score-{ir.pk}",
                patient_id,
                ir.instrument_id,
                ir.score,
                fhir_instant(ir.scored_at) or authored,
                derivedFrom=[ref("QuestionnaireResponse", f"qr-{ir.pk}")],
            )
        )
    return out


def protocol_canonical(evaluation: Any) -> str:
    return f"{ANNULUS_PROTOCOL}/{evaluation.protocol_id}|{evaluation.protocol_version}"


def guidance_response_resource(evaluation: Any) -> Resource:
    """The candidacy decision: which protocol (id, version, file hash) said what, and the review."""
    final = evaluation.override_outcome or evaluation.outcome
    data = {
        "id": f"evaluation-{evaluation.pk}",
        "identifier": [
            {"system": f"{ANNULUS}/protocol-sha256", "value": evaluation.protocol_sha256}
        ],
        "moduleCanonical": protocol_canonical(evaluation),
        "status": "success",
        "subject": patient_ref(evaluation.patient_id),
        "occurrenceDateTime": fhir_instant(evaluation.evaluated_at),
        "performer": practitioner_ref(evaluation.evaluated_by),
        "reasonCode": [
            concept(
                coding(ANNULUS_CANDIDACY, evaluation.outcome, evaluation.outcome),
                text=f"Protocol outcome: {evaluation.outcome}",
            )
        ],
        "note": [
            {
                "text": (
                    f"Protocol {evaluation.protocol_id} version {evaluation.protocol_version} "
                    f"(sha256 {evaluation.protocol_sha256}); outcome {evaluation.outcome}; "
                    f"clinician review: {evaluation.review}; final: {final}"
                )
            }
        ],
    }
    return build("GuidanceResponse", data)


def consult_note_resource(evaluation: Any, url: str) -> Resource:
    data = {
        "id": f"consult-note-{evaluation.pk}",
        "status": "current",
        "type": concept(coding(LOINC, "11488-4", "Consult note"), text="Consult note"),
        "category": [concept(coding(US_CORE_DOC_CATEGORY, "clinical-note", "Clinical Note"))],
        "subject": patient_ref(evaluation.patient_id),
        "date": fhir_instant(evaluation.evaluated_at),
        "author": [practitioner_ref(evaluation.evaluated_by)] if evaluation.evaluated_by else [],
        "content": [
            {
                "attachment": {
                    "contentType": "application/pdf",
                    "url": url,
                    "title": "Candidacy consult note",
                }
            }
        ],
        "context": {"related": [ref("GuidanceResponse", f"evaluation-{evaluation.pk}")]},
    }
    return build("DocumentReference", data)


CONSENT_SCOPES = {
    "treatment": ("treatment", "Treatment"),
    "outcome_surveys": ("patient-privacy", "Privacy Consent"),
}


def consent_resource(consent: Any) -> Resource:
    scope, scope_display = CONSENT_SCOPES.get(consent.kind, ("patient-privacy", "Privacy Consent"))
    data = {
        "id": f"consent-{consent.pk}",
        "status": "active" if consent.granted else "rejected",
        "scope": concept(coding(CONSENT_SCOPE, scope, scope_display)),
        "category": [concept(coding(ANNULUS_CONSENT, consent.kind, consent.get_kind_display()))],
        "patient": patient_ref(consent.patient_id),
        "dateTime": fhir_instant(consent.given_at),
        "performer": [patient_ref(consent.patient_id)],
        "organization": [organization_ref(consent.patient.clinic)],
        "policyRule": {"text": f"Wording {consent.wording_version}, given via {consent.source}"},
        "provision": {"type": "permit" if consent.granted else "deny"},
    }
    return build("Consent", data)


def provenance_resource(target: Resource, *, recorded: Any, user: Any, clinic: Any) -> Resource:
    """Who recorded `target`, and when: a person when known, else the clinic itself."""
    author_type = concept(coding(PROVENANCE_PARTICIPANT, "author", "Author"))
    agent: dict[str, Any] = {"type": author_type}
    if user is not None:
        agent["who"] = practitioner_ref(user)
        agent["onBehalfOf"] = organization_ref(clinic)
    else:
        agent["who"] = organization_ref(clinic)
    data = {
        "id": f"prov-{target.id}"[:64],
        "target": [ref(target.get_resource_type(), str(target.id))],
        "recorded": fhir_instant(recorded),
        "agent": [agent],
    }
    return build("Provenance", data)
