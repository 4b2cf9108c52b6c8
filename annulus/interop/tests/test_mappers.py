"""Every resource the demo produces is valid FHIR (round-tripped through fhir.resources)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from fhir.resources.R4B import get_fhir_model_class

from annulus.interop.codes import ICD10CM, LOINC, SNOMED
from annulus.interop.collect import clinic_resources, patient_resources
from annulus.interop.fhir.base import as_json
from annulus.outcomes.library import shipped


def _all(clinic: Any) -> list[Any]:
    from annulus.patients.models import Patient

    out = list(clinic_resources(clinic))
    for patient in Patient.objects.filter(clinic=clinic).select_related("clinic"):
        out.extend(patient_resources(patient))
    return out


def test_it_produces_valid_resources_for_the_whole_demo(full_record: Any) -> None:
    resources = _all(full_record.clinic)
    types = Counter(r.get_resource_type() for r in resources)
    assert len(types) >= 10
    for rtype in ("GuidanceResponse", "DocumentReference", "Consent", "AdverseEvent"):
        assert types[rtype] >= 1, rtype
    ids = set()
    for resource in resources:
        data = json.loads(json.dumps(as_json(resource)))
        model = get_fhir_model_class(data["resourceType"]).model_validate(data)
        assert model.id == resource.id
        ids.add((data["resourceType"], data["id"]))
    assert len(ids) == len(resources), "resource ids must be unique per type"


def test_it_sets_us_core_profiles_where_one_exists(full_record: Any) -> None:
    profiles = {
        r.get_resource_type(): as_json(r).get("meta", {}).get("profile", [])
        for r in patient_resources(full_record)
    }
    assert profiles["Patient"] == [
        "http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"
    ]
    assert "us-core-procedure" in profiles["Procedure"][0]
    assert "us-core-provenance" in profiles["Provenance"][0]


def test_it_codes_the_condition_in_snomed_and_icd10cm(full_record: Any) -> None:
    condition = next(
        as_json(r) for r in patient_resources(full_record) if r.get_resource_type() == "Condition"
    )
    codes = {(c["system"], c["code"]) for c in condition["code"]["coding"]}
    assert (SNOMED, "278860009") in codes
    assert any(system == ICD10CM and code.startswith("M51.3") for system, code in codes)
    assert condition["verificationStatus"]["coding"][0]["code"] == "confirmed"
    assert condition["bodySite"], "treated levels are the condition's body sites"


def test_it_puts_treated_levels_on_the_procedure(full_record: Any) -> None:
    from annulus.clinical.models import FibrinProcedure

    proc = FibrinProcedure.objects.get(patient=full_record)
    fhir = next(as_json(r) for r in patient_resources(full_record) if r.id == f"fibrin-{proc.pk}")
    assert [s["coding"][0]["code"] for s in fhir["bodySite"]] == proc.levels


def test_it_names_protocol_id_version_and_hash_on_the_decision(full_record: Any) -> None:
    decision = next(
        as_json(r)
        for r in patient_resources(full_record)
        if r.get_resource_type() == "GuidanceResponse"
    )
    assert decision["moduleCanonical"].endswith("/iaf-candidacy|1")
    assert decision["identifier"][0]["value"] == "a" * 64


def test_it_never_exports_questionnaire_item_text(demo_clinic: Any) -> None:
    for resource in clinic_resources(demo_clinic):
        if resource.get_resource_type() != "Questionnaire":
            continue
        data = as_json(resource)
        instrument = shipped(data["id"].removeprefix("instrument-"))
        blob = json.dumps(data)
        for item in data["item"]:
            assert "text" not in item
        for item in instrument.items:
            assert item.text not in blob


def test_it_uses_loinc_only_for_the_scores_it_documents(full_record: Any) -> None:
    used = {
        c["code"]
        for r in _all(full_record.clinic)
        for c in json.loads(json.dumps(as_json(r))).get("code", {}).get("coding", [])
        if c.get("system") == LOINC
    }
    assert used <= {"44261-6", "72514-3", "11488-4"}
    assert "72514-3" in used  # back pain NRS in the demo's intakes and surveys


def test_it_lists_mri_findings_per_level_as_components(full_record: Any) -> None:
    from annulus.clinical.models import LevelFinding

    finding = LevelFinding.objects.filter(study__patient__clinic=full_record.clinic).first()
    assert finding is not None
    obs = next(
        as_json(r)
        for r in patient_resources(finding.study.patient)
        if r.id == f"mri-{finding.study_id}-{finding.level}"
    )
    codes = {c["code"]["coding"][0]["code"] for c in obs["component"]}
    if finding.pfirrmann_grade is not None:
        assert "pfirrmann-grade" in codes
    assert obs["bodySite"]["coding"][0]["code"] == finding.level


def test_a_questionnaire_response_names_the_language_it_was_read_in(demo_clinic: Any) -> None:
    from annulus.interop.fhir.care import questionnaire_response_resources
    from annulus.outcomes.models import InstrumentResponse

    ir = InstrumentResponse.objects.filter(
        response__invitation__follow_up__patient__clinic=demo_clinic
    ).first()
    assert ir is not None
    patient_id = ir.response.invitation.follow_up.patient_id

    def exported() -> dict[str, Any]:
        return as_json(questionnaire_response_resources(ir, patient_id)[0])

    ir.language = "es"
    spanish = exported()
    assert spanish["language"] == "es"
    assert spanish["questionnaire"].endswith(f"|{ir.instrument_version}")  # same questionnaire
    ir.language = ""  # answered before the language was stored: not claimed either way
    assert "language" not in exported()
