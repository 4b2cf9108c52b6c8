"""Walk the database into FHIR resources: one patient, one clinic, or one resource by id.

Everything a patient's `$everything` returns comes from `patient_resources`; the bulk export and
the `fhir-export` command use the same walk, so the three can never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.urls import reverse
from fhir.resources.R4B.resource import Resource

from annulus.interop.fhir import care, clinical, people


def clinic_resources(clinic: Any) -> Iterator[Resource]:
    """Resources that belong to the clinic rather than one patient."""
    from annulus.accounts.models import User
    from annulus.outcomes.library import shipped
    from annulus.scheduling.models import Location

    yield people.organization_resource(clinic)
    yield cohort_group(clinic)
    for user in User.objects.filter(memberships__clinic=clinic).distinct().order_by("pk"):
        yield people.practitioner_resource(user)
    for location in Location.objects.filter(clinic=clinic).select_related("clinic"):
        yield people.location_resource(location)
    for instrument_id in sorted(_instrument_ids()):
        yield care.questionnaire_resource(shipped(instrument_id))


def _instrument_ids() -> set[str]:
    from pathlib import Path

    import annulus.outcomes

    folder = Path(annulus.outcomes.__file__).parent / "instruments"
    return {p.stem for p in folder.glob("*.yaml")}


def patient_resources(patient: Any) -> Iterator[Resource]:
    """Every resource about one patient, each followed by its Provenance where it has one."""
    from annulus.candidacy.models import Evaluation
    from annulus.clinical.models import (
        AdverseEvent,
        AlternativeReferral,
        DiagnosticInjection,
        Discogram,
        FibrinProcedure,
        MRIStudy,
    )
    from annulus.outcomes.models import InstrumentResponse
    from annulus.patients.models import Consent, Intake
    from annulus.scheduling.models import Appointment

    clinic = patient.clinic

    def with_provenance(resource: Resource, recorded: Any, user: Any) -> Iterator[Resource]:
        yield resource
        if recorded is not None:
            yield care.provenance_resource(resource, recorded=recorded, user=user, clinic=clinic)

    yield people.patient_resource(patient)
    intake = Intake.objects.filter(patient=patient).first()
    discograms = list(Discogram.objects.filter(patient=patient).select_related("created_by"))
    fibrin = list(
        FibrinProcedure.objects.filter(patient=patient).select_related("operator", "created_by")
    )
    condition = clinical.condition_resource(
        patient, intake=intake, discograms=discograms, fibrin=fibrin
    )
    if condition is not None:
        yield condition
    if intake is not None:
        for obs in clinical.intake_resources(intake):
            yield from with_provenance(
                obs, intake.reviewed_at or intake.submitted_at, intake.reviewed_by
            )
    studies = MRIStudy.objects.filter(patient=patient).prefetch_related("levels")
    for study in studies.select_related("created_by"):
        for obs in clinical.mri_resources(study):
            yield from with_provenance(obs, study.created_at, study.created_by)
    for disco in discograms:
        yield from with_provenance(
            clinical.discogram_resource(disco), disco.created_at, disco.created_by
        )
    injections = DiagnosticInjection.objects.filter(patient=patient).select_related("created_by")
    for inj in injections:
        yield from with_provenance(clinical.injection_resource(inj), inj.created_at, inj.created_by)
    for proc in fibrin:
        yield from with_provenance(
            clinical.fibrin_procedure_resource(proc), proc.created_at, proc.created_by
        )
    for event in AdverseEvent.objects.filter(patient=patient).select_related("created_by"):
        yield from with_provenance(
            clinical.adverse_event_resource(event), event.created_at, event.created_by
        )
    referrals = AlternativeReferral.objects.filter(patient=patient).select_related("created_by")
    for referral in referrals:
        yield from with_provenance(
            clinical.referral_resource(referral), referral.created_at, referral.created_by
        )
    appointments = (
        Appointment.objects.filter(patient=patient)
        .select_related("service", "created_by")
        .prefetch_related("occupancies__resource")
        .order_by("start")
    )
    for appt in appointments:
        yield from with_provenance(
            care.appointment_resource(appt), appt.created_at, appt.created_by
        )
    responses = (
        InstrumentResponse.objects.filter(response__invitation__follow_up__patient=patient)
        .select_related("response")
        .order_by("pk")
    )
    for ir in responses:
        yield from care.questionnaire_response_resources(ir, patient.pk)
    for evaluation in Evaluation.objects.filter(patient=patient).select_related("evaluated_by"):
        yield from with_provenance(
            care.guidance_response_resource(evaluation),
            evaluation.evaluated_at,
            evaluation.evaluated_by,
        )
        url = reverse(
            "patient_candidacy:consult_note",
            kwargs={"pk": patient.pk, "evaluation_id": evaluation.pk},
        )
        yield care.consult_note_resource(evaluation, url)
    for consent in Consent.objects.filter(patient=patient).select_related("recorded_by"):
        consent.patient = patient
        yield from with_provenance(
            care.consent_resource(consent), consent.given_at, consent.recorded_by
        )


# --- read by id -------------------------------------------------------------------------------

_PATIENT_KINDS: dict[str, tuple[str, str]] = {
    # id prefix → (app.Model, the field naming the patient); the pk follows the prefix.
    "fibrin": ("clinical.FibrinProcedure", "patient_id"),
    "discogram": ("clinical.Discogram", "patient_id"),
    "injection": ("clinical.DiagnosticInjection", "patient_id"),
    "mri": ("clinical.MRIStudy", "patient_id"),
    "adverse-event": ("clinical.AdverseEvent", "patient_id"),
    "referral": ("clinical.AlternativeReferral", "patient_id"),
    "appointment": ("scheduling.Appointment", "patient_id"),
    "qr": ("outcomes.InstrumentResponse", "response__invitation__follow_up__patient_id"),
    "score": ("outcomes.InstrumentResponse", "response__invitation__follow_up__patient_id"),
    "evaluation": ("candidacy.Evaluation", "patient_id"),
    "consult-note": ("candidacy.Evaluation", "patient_id"),
    "consent": ("patients.Consent", "patient_id"),
}
_ID = re.compile(r"^(?P<kind>[a-z-]+?)-(?P<pk>\d+)(?:-(?P<rest>[A-Za-z0-9-]+))?$")


def owning_patient_id(rid: str) -> int | None:
    """The patient a resource id belongs to, or None for clinic-level or unknown ids."""
    from django.apps import apps

    if rid.startswith("prov-"):
        return owning_patient_id(rid[len("prov-") :])
    match = _ID.match(rid)
    if match is None:
        return None
    kind, pk = match["kind"], int(match["pk"])
    if kind in ("patient", "condition", "intake"):
        return pk
    if kind not in _PATIENT_KINDS:
        return None
    label, field = _PATIENT_KINDS[kind]
    value = apps.get_model(label).objects.filter(pk=pk).values_list(field, flat=True).first()
    return int(value) if value is not None else None


def find_in_clinic(clinic: Any, resource_type: str, rid: str) -> Resource | None:
    """A clinic-level resource by type and id, or None."""
    for resource in clinic_resources(clinic):
        if resource.get_resource_type() == resource_type and resource.id == rid:
            return resource
    return None


def find_for_patient(patient: Any, resource_type: str, rid: str) -> Resource | None:
    for resource in patient_resources(patient):
        if resource.get_resource_type() == resource_type and resource.id == rid:
            return resource
    return None


def cohort_group(clinic: Any) -> Resource:
    """The clinic's patients as a Group: the target of `Group/{id}/$export`."""
    from annulus.interop.fhir.base import build, organization_ref
    from annulus.patients.models import Patient

    return build(
        "Group",
        {
            "id": cohort_id(clinic),
            "type": "person",
            "actual": True,
            "name": f"All patients of {clinic.name}",
            "quantity": Patient.objects.filter(clinic=clinic).count(),
            "managingEntity": organization_ref(clinic),
        },
    )


def cohort_id(clinic: Any) -> str:
    return f"cohort-{clinic.pk}"
