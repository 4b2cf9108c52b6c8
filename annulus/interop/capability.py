"""The CapabilityStatement served at /fhir/R4/metadata."""

from __future__ import annotations

from fhir.resources.R4B.resource import Resource

from annulus.interop.fhir.base import build

SUPPORTED_TYPES = (
    "Patient",
    "Practitioner",
    "Organization",
    "Location",
    "Group",
    "Condition",
    "Procedure",
    "Observation",
    "Questionnaire",
    "QuestionnaireResponse",
    "Appointment",
    "ServiceRequest",
    "AdverseEvent",
    "GuidanceResponse",
    "DocumentReference",
    "Consent",
    "Provenance",
)
RELEASE_DATE = "2026-12-02"


def capability_statement(base_url: str) -> Resource:
    resources = []
    for rtype in SUPPORTED_TYPES:
        entry: dict[str, object] = {"type": rtype, "interaction": [{"code": "read"}]}
        if rtype == "Patient":
            entry["operation"] = [
                {
                    "name": "everything",
                    "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
                }
            ]
        if rtype == "Group":
            entry["operation"] = [
                {
                    "name": "export",
                    "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export",
                }
            ]
        resources.append(entry)
    return build(
        "CapabilityStatement",
        {
            "status": "active",
            "date": RELEASE_DATE,
            "publisher": "Annulus",
            "kind": "instance",
            "instantiates": ["http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data"],
            "software": {"name": "Annulus"},
            "implementation": {"description": "Annulus FHIR R4 API", "url": base_url},
            "fhirVersion": "4.0.1",
            "format": ["application/fhir+json"],
            "rest": [
                {
                    "mode": "server",
                    "security": {
                        "description": (
                            "A verified staff session of the clinic, or a bearer token issued "
                            "by the clinic's director (scopes system/*.read, system/*.export)."
                        )
                    },
                    "resource": resources,
                    "operation": [
                        {
                            "name": "export",
                            "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export",
                        }
                    ],
                }
            ],
        },
    )
