"""Code systems, codes and profiles used by the FHIR mappers, in one place.

Every external code here was checked against its publisher's material (docs/interoperability.md
lists each with its source). Where no standard code fits honestly, the project's own code system
(`ANNULUS_*` below) is used instead of a near-miss standard code.
"""

from __future__ import annotations

from typing import Any

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
UCUM = "http://unitsofmeasure.org"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
PROVENANCE_PARTICIPANT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
CONSENT_CATEGORY = "http://terminology.hl7.org/CodeSystem/consentcategorycodes"
US_CORE_DOC_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category"

# The project's own code systems. The host is a placeholder domain reserved for examples
# (RFC 2606): a deployment may publish the CodeSystem resources under its own address.
ANNULUS = "http://annulus.example.org/fhir"
ANNULUS_OBSERVATION = f"{ANNULUS}/CodeSystem/observation"
ANNULUS_PROCEDURE = f"{ANNULUS}/CodeSystem/procedure"
ANNULUS_BODY_SITE = f"{ANNULUS}/CodeSystem/spinal-level"
ANNULUS_ALTERNATIVE = f"{ANNULUS}/CodeSystem/alternative-treatment"
ANNULUS_CONSENT = f"{ANNULUS}/CodeSystem/consent-kind"
ANNULUS_CANDIDACY = f"{ANNULUS}/CodeSystem/candidacy-outcome"
ANNULUS_PROTOCOL = f"{ANNULUS}/protocol"
ANNULUS_QUESTIONNAIRE = f"{ANNULUS}/Questionnaire"

US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition"
PROFILES = {
    "Patient": f"{US_CORE}/us-core-patient",
    "Practitioner": f"{US_CORE}/us-core-practitioner",
    "Organization": f"{US_CORE}/us-core-organization",
    "Location": f"{US_CORE}/us-core-location",
    "Condition": f"{US_CORE}/us-core-condition-problems-health-concerns",
    "Procedure": f"{US_CORE}/us-core-procedure",
    "Observation.survey": f"{US_CORE}/us-core-observation-screening-assessment",
    "Observation.imaging": f"{US_CORE}/us-core-observation-clinical-result",
    "QuestionnaireResponse": f"{US_CORE}/us-core-questionnaireresponse",
    "ServiceRequest": f"{US_CORE}/us-core-servicerequest",
    "DocumentReference": f"{US_CORE}/us-core-documentreference",
    "Provenance": f"{US_CORE}/us-core-provenance",
}


def coding(system: str, code: str, display: str) -> dict[str, Any]:
    return {"system": system, "code": code, "display": display}


def concept(*codings: dict[str, Any], text: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"coding": list(codings)}
    if text:
        out["text"] = text
    return out


# --- Condition: chronic discogenic low back pain ------------------------------------------------
# SNOMED CT 278860009 |Chronic low back pain (finding)|. ICD-10-CM FY2025 added codes that name
# discogenic back pain: M51.360 (lumbar region) and M51.370 (lumbosacral region), "other
# intervertebral disc degeneration ... with discogenic back pain only".
SNOMED_CHRONIC_LBP = coding(SNOMED, "278860009", "Chronic low back pain (finding)")
ICD_DISCOGENIC_LUMBAR = coding(
    ICD10CM,
    "M51.360",
    "Other intervertebral disc degeneration, lumbar region with discogenic back pain only",
)
ICD_DISCOGENIC_LUMBOSACRAL = coding(
    ICD10CM,
    "M51.370",
    "Other intervertebral disc degeneration, lumbosacral region with discogenic back pain only",
)

# --- Observations ---------------------------------------------------------------------------------
# LOINC codes used (only ones whose meaning is certain):
#   44261-6  Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]
#   72514-3  Pain severity - 0-10 verbal numeric rating [Score] - Reported
# ODI, RMDQ, PEG, leg-pain NRS and PGIC totals use the project's own codes (see the docs).
LOINC_PHQ9_TOTAL = coding(
    LOINC, "44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]"
)
LOINC_PAIN_NRS = coding(
    LOINC, "72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported"
)

# instrument id → (codings, unit)
SCORE_CODES: dict[str, tuple[list[dict[str, Any]], str]] = {
    "odi": ([coding(ANNULUS_OBSERVATION, "odi-total", "Oswestry Disability Index total (%)")], "%"),
    "rmdq": (
        [coding(ANNULUS_OBSERVATION, "rmdq-total", "Roland-Morris Disability Questionnaire total")],
        "{score}",
    ),
    "nrs-back": (
        [LOINC_PAIN_NRS, coding(ANNULUS_OBSERVATION, "nrs-back", "Low back pain 0-10")],
        "{score}",
    ),
    "nrs-leg": ([coding(ANNULUS_OBSERVATION, "nrs-leg", "Leg pain 0-10")], "{score}"),
    "peg": ([coding(ANNULUS_OBSERVATION, "peg-mean", "PEG 3-item mean score")], "{score}"),
    "phq9": ([LOINC_PHQ9_TOTAL], "{score}"),
    "pgic": (
        [coding(ANNULUS_OBSERVATION, "pgic", "Patient Global Impression of Change")],
        "{score}",
    ),
    "satisfaction": (
        [coding(ANNULUS_OBSERVATION, "satisfaction", "Satisfaction with treatment")],
        "{score}",
    ),
    "eq5d5l": ([coding(ANNULUS_OBSERVATION, "eq5d5l-index", "EQ-5D-5L index value")], "1"),
    "promis-pf-4a": (
        [coding(ANNULUS_OBSERVATION, "promis-pf-4a-t", "PROMIS Physical Function 4a T-score")],
        "{T-score}",
    ),
    "promis-pi-4a": (
        [coding(ANNULUS_OBSERVATION, "promis-pi-4a-t", "PROMIS Pain Interference 4a T-score")],
        "{T-score}",
    ),
}
# Intake baseline fields → the instrument whose codes they share.
INTAKE_SCORES = {
    "odi": "odi",
    "rmdq": "rmdq",
    "back_pain_nrs": "nrs-back",
    "leg_pain_nrs": "nrs-leg",
}

MRI_FINDING = coding(ANNULUS_OBSERVATION, "mri-disc-level", "Lumbar MRI findings at one disc level")
MRI_COMPONENTS: dict[str, tuple[str, str, str | None]] = {
    # model field → (code, display, UCUM unit or None for coded/boolean values)
    "pfirrmann_grade": ("pfirrmann-grade", "Pfirrmann disc degeneration grade (1-5)", "1"),
    "disc_height_loss_percent": ("disc-height-loss", "Disc height loss", "%"),
    "high_intensity_zone": ("high-intensity-zone", "High-intensity zone present", None),
    "modic_type": ("modic-type", "Modic endplate change type (0-3)", "1"),
    "contour": ("disc-contour", "Disc contour", None),
    "protrusion_mm": ("protrusion", "Protrusion depth", "mm"),
    "stenosis": ("stenosis", "Canal stenosis", None),
    "spondylolisthesis_grade": ("spondylolisthesis-grade", "Meyerding grade (0-5)", "1"),
    "spondylolysis": ("spondylolysis", "Spondylolysis present", None),
    "flexion_extension_translation_mm": ("fe-translation", "Flexion-extension translation", "mm"),
    "flexion_extension_angulation_degrees": (
        "fe-angulation",
        "Flexion-extension angulation",
        "deg",
    ),
}

# --- Procedures -----------------------------------------------------------------------------------
PROCEDURE_CODES = {
    "fibrin": coding(ANNULUS_PROCEDURE, "intra-annular-fibrin", "Intra-annular fibrin injection"),
    "discogram": coding(ANNULUS_PROCEDURE, "provocation-discography", "Provocation discography"),
    "medial_branch": coding(ANNULUS_PROCEDURE, "medial-branch-block", "Medial branch block"),
    "si_joint": coding(ANNULUS_PROCEDURE, "si-joint-block", "Sacroiliac joint block"),
    "epidural_steroid": coding(
        ANNULUS_PROCEDURE, "epidural-steroid-injection", "Epidural steroid injection"
    ),
}


def level_site(level: str) -> dict[str, Any]:
    """A disc level (L4-L5) as a body site."""
    return concept(
        coding(ANNULUS_BODY_SITE, level, f"{level} intervertebral disc"),
        text=f"{level} intervertebral disc",
    )
