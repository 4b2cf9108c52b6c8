"""Patient, Practitioner, Organization and Location."""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.resource import Resource

from annulus.interop.codes import ANNULUS
from annulus.interop.fhir.base import build, fhir_date, organization_ref

GENDER = {"female": "female", "male": "male", "other": "other", "unknown": "unknown"}


def patient_identifier_system(clinic: Any) -> str:
    return f"{ANNULUS}/clinic/{clinic.slug}/patient"


def patient_resource(patient: Any) -> Resource:
    telecom = []
    if patient.phone:
        telecom.append({"system": "phone", "value": patient.phone, "use": "home"})
    if patient.email:
        telecom.append({"system": "email", "value": patient.email})
    data: dict[str, Any] = {
        "id": f"patient-{patient.pk}",
        "identifier": [
            {
                "use": "usual",
                "type": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                            "code": "MR",
                            "display": "Medical record number",
                        }
                    ]
                },
                "system": patient_identifier_system(patient.clinic),
                "value": str(patient.pk),
            }
        ],
        "active": patient.stage != "closed",
        "name": [{"use": "official", "family": patient.last_name, "given": [patient.first_name]}],
        "gender": GENDER.get(patient.sex, "unknown"),
        "birthDate": fhir_date(patient.date_of_birth),
        "telecom": telecom,
        "managingOrganization": organization_ref(patient.clinic),
        "generalPractitioner": (
            [{"reference": f"Practitioner/user-{patient.clinician_id}"}]
            if patient.clinician_id
            else []
        ),
    }
    return build("Patient", data)


def practitioner_resource(user: Any) -> Resource:
    parts = (user.full_name or "").split()
    name: dict[str, Any] = {"text": user.full_name or user.email}
    if parts:
        name["family"] = parts[-1]
        name["given"] = parts[:-1]
    data = {
        "id": f"user-{user.pk}",
        "identifier": [{"system": f"{ANNULUS}/staff", "value": str(user.pk)}],
        "active": user.is_active,
        "name": [name],
        "telecom": [{"system": "email", "value": user.email, "use": "work"}],
    }
    return build("Practitioner", data)


def organization_resource(clinic: Any) -> Resource:
    address = {
        "line": [clinic.address_line],
        "city": clinic.city,
        "state": clinic.region,
        "postalCode": clinic.postal_code,
    }
    telecom = []
    if clinic.phone:
        telecom.append({"system": "phone", "value": clinic.phone, "use": "work"})
    if clinic.email:
        telecom.append({"system": "email", "value": clinic.email, "use": "work"})
    data = {
        "id": f"clinic-{clinic.pk}",
        "identifier": [{"system": f"{ANNULUS}/clinic", "value": clinic.slug}],
        "active": True,
        "name": clinic.name,
        "telecom": telecom,
        "address": [address],
    }
    return build("Organization", data)


def location_resource(location: Any) -> Resource:
    data = {
        "id": f"location-{location.pk}",
        "status": "active",
        "name": location.name,
        "address": {"text": location.address},
        "managingOrganization": organization_ref(location.clinic),
    }
    return build("Location", data)
