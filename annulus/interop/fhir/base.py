"""Helpers every mapper uses: validate a resource, reference another, set the profile."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.resource import Resource

from annulus.interop.codes import PROFILES

FHIR_JSON = "application/fhir+json"


def build(resource_type: str, data: dict[str, Any], *, profile: str | None = None) -> Resource:
    """Construct and validate a resource with fhir.resources; raises on any invalid element."""
    body = {"resourceType": resource_type, **_drop_empty(data)}
    key = profile or resource_type
    if key in PROFILES:
        body["meta"] = {"profile": [PROFILES[key]]}
    model = get_fhir_model_class(resource_type).model_validate(body)
    assert isinstance(model, Resource)
    return model


def as_json(resource: Resource) -> dict[str, Any]:
    """The resource as plain JSON data (FHIR's JSON form, empty elements left out)."""
    data: dict[str, Any] = resource.model_dump(mode="json", exclude_none=True, by_alias=True)
    return data


def ref(resource_type: str, rid: str, display: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"reference": f"{resource_type}/{rid}"}
    if display:
        out["display"] = display
    return out


def patient_ref(patient_id: int) -> dict[str, Any]:
    return ref("Patient", f"patient-{patient_id}")


def practitioner_ref(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return ref("Practitioner", f"user-{user.pk}", str(user))


def organization_ref(clinic: Any) -> dict[str, Any]:
    return ref("Organization", f"clinic-{clinic.pk}", clinic.name)


def fhir_date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def fhir_instant(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _drop_empty(value: Any) -> Any:
    """FHIR forbids empty strings, lists and objects: drop them (and None) recursively."""
    if isinstance(value, dict):
        out = {k: _drop_empty(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        items = [_drop_empty(v) for v in value]
        return [v for v in items if v not in (None, "", [], {})]
    return value
