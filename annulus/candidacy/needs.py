"""Which imaging fields the active protocol still needs, so the grid can point at them."""

from __future__ import annotations

from datetime import date

from annulus.candidacy.case_builder import LEVEL_FIELDS, CaseNotReady, build_case
from annulus.candidacy.engine import CaseError, evaluate, load_protocol, parse_case
from annulus.patients.models import Patient

# Level criteria of the spec (§4.4) and the grid fields each one reads.
CRITERION_FIELDS: dict[str, tuple[str, ...]] = {
    "L-MRI": LEVEL_FIELDS,
    "L-PFIRRMANN": ("pfirrmann_grade",),
    "L-HEIGHT": ("disc_height_loss_percent",),
    "L-CONTOUR": ("contour", "protrusion_mm"),
    "L-MODIC": ("modic_type",),
    "L-STENOSIS": ("stenosis",),
    "L-SLIP": ("spondylolisthesis_grade", "spondylolysis"),
    "L-INSTABILITY": ("flexion_extension_translation_mm", "flexion_extension_angulation_degrees"),
}


def imaging_needs(
    patient: Patient, on: date, protocol_id: str | None = None
) -> dict[str, set[str]]:
    """{level: fields still unknown that a level criterion marked missing}. Empty when unknown."""
    try:
        case_data = build_case(patient, on)
        decision = evaluate(parse_case(case_data), load_protocol(protocol_id or "annulus-default"))
    except (CaseNotReady, CaseError):
        return {}
    findings = case_data.get("imaging", {}).get("levels", {})
    needs: dict[str, set[str]] = {}
    for criterion in decision.criteria:
        fields = CRITERION_FIELDS.get(criterion.id)
        if criterion.status != "missing" or fields is None or criterion.level is None:
            continue
        known = findings.get(criterion.level, {})
        needs.setdefault(criterion.level, set()).update(f for f in fields if f not in known)
    return needs
