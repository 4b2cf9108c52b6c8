"""Condition, Procedures, MRI and intake Observations, AdverseEvent and ServiceRequest."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fhir.resources.R4B.resource import Resource

from annulus.interop.codes import (
    ANNULUS_ALTERNATIVE,
    ANNULUS_OBSERVATION,
    CONDITION_CATEGORY,
    CONDITION_CLINICAL,
    CONDITION_VERIFICATION,
    ICD_DISCOGENIC_LUMBAR,
    ICD_DISCOGENIC_LUMBOSACRAL,
    INTAKE_SCORES,
    MRI_COMPONENTS,
    MRI_FINDING,
    OBS_CATEGORY,
    PROCEDURE_CODES,
    SCORE_CODES,
    SNOMED_CHRONIC_LBP,
    UCUM,
    coding,
    concept,
    level_site,
)
from annulus.interop.fhir.base import (
    build,
    fhir_date,
    fhir_instant,
    patient_ref,
    practitioner_ref,
    ref,
)

SURVEY = concept(coding(OBS_CATEGORY, "survey", "Survey"))
IMAGING = concept(coding(OBS_CATEGORY, "imaging", "Imaging"))


def condition_resource(
    patient: Any, *, intake: Any, discograms: Iterable[Any], fibrin: Iterable[Any]
) -> Resource | None:
    """The working diagnosis: chronic discogenic low back pain, when the record supports one.

    Confirmed once a concordant discogram or a treatment exists; provisional on intake alone.
    """
    concordant = sorted({d.level for d in discograms if d.concordance == "concordant"})
    treated = sorted({level for p in fibrin for level in p.levels})
    levels = treated or concordant
    if intake is None and not levels:
        return None
    icd = (
        ICD_DISCOGENIC_LUMBOSACRAL
        if levels and all(level == "L5-S1" for level in levels)
        else ICD_DISCOGENIC_LUMBAR
    )
    verification = "confirmed" if levels else "provisional"
    data = {
        "id": f"condition-{patient.pk}-clbp",
        "clinicalStatus": concept(coding(CONDITION_CLINICAL, "active", "Active")),
        "verificationStatus": concept(
            coding(CONDITION_VERIFICATION, verification, verification.title())
        ),
        "category": [concept(coding(CONDITION_CATEGORY, "problem-list-item", "Problem List Item"))],
        "code": concept(SNOMED_CHRONIC_LBP, icd, text="Chronic discogenic low back pain"),
        "bodySite": [level_site(level) for level in levels],
        "subject": patient_ref(patient.pk),
        "recordedDate": fhir_instant(getattr(intake, "submitted_at", None)),
    }
    return build("Condition", data)


def fibrin_procedure_resource(proc: Any) -> Resource:
    volumes = ", ".join(f"{lvl} {ml} mL" for lvl, ml in (proc.volume_ml_per_level or {}).items())
    data = {
        "id": f"fibrin-{proc.pk}",
        "status": "completed",
        "code": concept(PROCEDURE_CODES["fibrin"], text="Intra-annular fibrin injection"),
        "subject": patient_ref(proc.patient_id),
        "performedDateTime": fhir_date(proc.performed_on),
        "performer": [{"actor": practitioner_ref(proc.operator)}],
        "bodySite": [level_site(level) for level in proc.levels],
        "usedCode": [{"text": f"{proc.product} (lot {proc.lot_number})"}],
        "note": [{"text": f"Guidance: {proc.guidance}; sedation: {proc.sedation}; {volumes}"}],
        "complication": (
            [{"text": proc.immediate_complications}] if proc.immediate_complications else []
        ),
    }
    return build("Procedure", data)


def discogram_resource(disco: Any) -> Resource:
    data = {
        "id": f"discogram-{disco.pk}",
        "status": "completed",
        "code": concept(PROCEDURE_CODES["discogram"], text="Provocation discography"),
        "subject": patient_ref(disco.patient_id),
        "performedDateTime": fhir_date(disco.performed_on),
        "performer": [{"actor": practitioner_ref(disco.created_by)}] if disco.created_by else [],
        "bodySite": [level_site(disco.level)],
        "outcome": concept(
            coding(ANNULUS_OBSERVATION, f"discogram-{disco.concordance}", disco.concordance),
            text=f"Pain response: {disco.get_concordance_display()}",
        ),
    }
    return build("Procedure", data)


def injection_resource(inj: Any) -> Resource:
    data = {
        "id": f"injection-{inj.pk}",
        "status": "completed",
        "code": concept(PROCEDURE_CODES[inj.kind], text=inj.get_kind_display()),
        "subject": patient_ref(inj.patient_id),
        "performedDateTime": fhir_date(inj.performed_on),
        "bodySite": [level_site(level) for level in inj.levels or []],
        "outcome": {"text": f"{inj.relief_percent}% relief"},
    }
    return build("Procedure", data)


def mri_resources(study: Any) -> list[Resource]:
    out = []
    for finding in study.levels.all():
        components = []
        for field, (code, display, unit) in MRI_COMPONENTS.items():
            value = getattr(finding, field)
            if value in (None, ""):
                continue
            comp: dict[str, Any] = {"code": concept(coding(ANNULUS_OBSERVATION, code, display))}
            if isinstance(value, bool):
                comp["valueBoolean"] = value
            elif isinstance(value, str):
                comp["valueCodeableConcept"] = concept(
                    coding(ANNULUS_OBSERVATION, f"{code}-{value}", value), text=value
                )
            else:
                comp["valueQuantity"] = {"value": value, "unit": unit, "system": UCUM, "code": unit}
            components.append(comp)
        data = {
            "id": f"mri-{study.pk}-{finding.level}",
            "status": "final",
            "category": [IMAGING],
            "code": concept(MRI_FINDING, text=f"MRI findings {finding.level}"),
            "subject": patient_ref(study.patient_id),
            "effectiveDateTime": fhir_date(study.study_date),
            "bodySite": level_site(finding.level),
            "component": components,
        }
        out.append(build("Observation", data, profile="Observation.imaging"))
    return out


def score_observation(
    rid: str, patient_id: int, instrument_id: str, value: float, when: str | None, **extra: Any
) -> Resource:
    codings, unit = SCORE_CODES[instrument_id]
    data = {
        "id": rid,
        "status": "final",
        "category": [SURVEY],
        "code": concept(*codings, text=codings[-1]["display"]),
        "subject": patient_ref(patient_id),
        "effectiveDateTime": when,
        "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
        **extra,
    }
    return build("Observation", data, profile="Observation.survey")


def intake_resources(intake: Any) -> list[Resource]:
    when = fhir_instant(intake.submitted_at or intake.updated_at)
    return [
        score_observation(
            f"intake-{intake.patient_id}-{instrument}", intake.patient_id, instrument, value, when
        )
        for field, instrument in INTAKE_SCORES.items()
        if (value := getattr(intake, field)) is not None
    ]


def adverse_event_resource(event: Any) -> Resource:
    seriousness = "serious" if event.serious else "non-serious"
    suspect = []
    if event.procedure_id:
        suspect.append(
            {
                "instance": ref("Procedure", f"fibrin-{event.procedure_id}"),
                "causality": [
                    {"assessment": {"text": "Related" if event.related else "Not related"}}
                ],
            }
        )
    data = {
        "id": f"adverse-event-{event.pk}",
        "actuality": "actual",
        "event": {"text": "Discitis" if event.discitis else event.description[:200]},
        "subject": patient_ref(event.patient_id),
        "date": fhir_date(event.onset_on),
        "recordedDate": fhir_instant(event.created_at),
        "recorder": practitioner_ref(event.created_by),
        "seriousness": concept(
            coding(
                "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness",
                seriousness,
                seriousness.replace("-", " ").capitalize(),
            )
        ),
        "suspectEntity": suspect,
    }
    return build("AdverseEvent", data)


def referral_resource(referral: Any) -> Resource:
    data = {
        "id": f"referral-{referral.pk}",
        "status": "active",
        "intent": "order",
        "category": [{"text": "Referral to another treatment"}],
        "code": concept(
            coding(ANNULUS_ALTERNATIVE, referral.alternative, referral.get_alternative_display()),
            text=referral.get_alternative_display(),
        ),
        "subject": patient_ref(referral.patient_id),
        "authoredOn": fhir_date(referral.referred_on),
        "requester": practitioner_ref(referral.created_by),
    }
    return build("ServiceRequest", data)
