"""FHIR R4 endpoints: metadata, read by id, Patient/$everything and Bulk Data $export.

Views parse, authorize and render; reads are audited per patient through `actions.audit_read`.
Another clinic's patient (or anything of theirs) answers 404 with an OperationOutcome, the same
as an id that does not exist, so existence never leaks.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from fhir.resources.R4B.resource import Resource

from annulus.accounts.policy import public
from annulus.audit.context import AuditContext
from annulus.interop import actions
from annulus.interop.auth import Principal, authenticate
from annulus.interop.capability import SUPPORTED_TYPES, capability_statement
from annulus.interop.collect import (
    clinic_resources,
    cohort_id,
    find_for_patient,
    find_in_clinic,
    owning_patient_id,
    patient_resources,
)
from annulus.interop.fhir.base import FHIR_JSON, as_json, build
from annulus.interop.models import SCOPE_EXPORT, SCOPE_READ, BulkExport, ExportStatus
from annulus.interop.tasks import export_folder

NDJSON_FORMATS = {"application/fhir+ndjson", "application/ndjson", "ndjson"}


def fhir_response(data: Any, status: int = 200, **headers: str) -> HttpResponse:
    response = HttpResponse(json.dumps(data), status=status, content_type=FHIR_JSON)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def operation_outcome(status: int, code: str, message: str) -> HttpResponse:
    body = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": message}],
    }
    response = fhir_response(body, status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="annulus-fhir"'
    return response


View = Callable[..., HttpResponseBase]


def fhir_view(scope: str) -> Callable[[View], View]:
    """Authenticate (staff session or bearer token) and check the scope before the view runs."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            principal = authenticate(request)
            if principal is None:
                return operation_outcome(401, "login", "Sign in, or send a valid bearer token.")
            if not principal.can(scope):
                return operation_outcome(403, "forbidden", f"This needs the {scope} scope.")
            return view(request, principal, *args, **kwargs)

        return public(wrapper)

    return decorate


def _ctx(request: HttpRequest) -> AuditContext:
    return AuditContext.from_request(request)


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/fhir/R4/").rstrip("/")


@public
@require_http_methods(["GET"])
def metadata(request: HttpRequest) -> HttpResponse:
    return fhir_response(as_json(capability_statement(_base(request))))


def _not_found(rtype: str, rid: str) -> HttpResponse:
    return operation_outcome(404, "not-found", f"No {rtype} with id {rid} here.")


def _patient_in_clinic(
    request: HttpRequest, principal: Principal, patient_id: int, rtype: str, rid: str
) -> Any:
    """The patient when they belong to the caller's clinic; None (audited) otherwise."""
    from annulus.patients.models import Patient

    patient = Patient.objects.select_related("clinic").filter(pk=patient_id).first()
    if patient is not None and patient.clinic_id == principal.clinic.pk:
        return patient
    actions.audit_read(
        ctx=_ctx(request),
        actor=principal.user,
        clinic=principal.clinic,
        patient_id=patient_id if patient is not None else None,
        what="read",
        details={"type": rtype, "id": rid, **principal.audit_details()},
        denied=True,
    )
    return None


@require_http_methods(["GET"])
@fhir_view(SCOPE_READ)
def read(request: HttpRequest, principal: Principal, rtype: str, rid: str) -> HttpResponse:
    if rtype not in SUPPORTED_TYPES:
        return operation_outcome(404, "not-supported", f"{rtype} is not a supported type.")
    patient_id = owning_patient_id(rid)
    if patient_id is None:
        resource = find_in_clinic(principal.clinic, rtype, rid)
        return fhir_response(as_json(resource)) if resource else _not_found(rtype, rid)
    patient = _patient_in_clinic(request, principal, patient_id, rtype, rid)
    if patient is None:
        return _not_found(rtype, rid)
    resource = find_for_patient(patient, rtype, rid)
    if resource is None:
        return _not_found(rtype, rid)
    actions.audit_read(
        ctx=_ctx(request),
        actor=principal.user,
        clinic=principal.clinic,
        patient_id=patient.pk,
        what="read",
        details={"type": rtype, "id": rid, **principal.audit_details()},
    )
    return fhir_response(as_json(resource))


@require_http_methods(["GET"])
@fhir_view(SCOPE_READ)
def everything(request: HttpRequest, principal: Principal, rid: str) -> HttpResponse:
    patient_id = owning_patient_id(rid) if rid.startswith("patient-") else None
    if patient_id is None:
        return _not_found("Patient", rid)
    patient = _patient_in_clinic(request, principal, patient_id, "Patient", rid)
    if patient is None:
        return _not_found("Patient", rid)
    base = _base(request)
    entries = [
        {
            "fullUrl": f"{base}/{r.get_resource_type()}/{r.id}",
            "resource": as_json(r),
            "search": {"mode": "match"},
        }
        for r in _everything(patient)
    ]
    bundle = build(
        "Bundle",
        {
            "type": "searchset",
            "total": len(entries),
            "timestamp": datetime.now(UTC).isoformat(),
            "entry": entries,
        },
    )
    actions.audit_read(
        ctx=_ctx(request),
        actor=principal.user,
        clinic=principal.clinic,
        patient_id=patient.pk,
        what="everything",
        details={"count": len(entries), **principal.audit_details()},
    )
    return fhir_response(as_json(bundle))


def _everything(patient: Any) -> Iterator[Resource]:
    """The patient's resources, then the clinic, its practitioners and locations they cite."""
    yield from patient_resources(patient)
    for resource in clinic_resources(patient.clinic):
        if resource.get_resource_type() in ("Organization", "Practitioner", "Location"):
            yield resource


def _kickoff(request: HttpRequest, principal: Principal, level: str) -> HttpResponse:
    if "respond-async" not in request.headers.get("Prefer", ""):
        return operation_outcome(400, "invalid", "Prefer: respond-async is required for $export.")
    fmt = request.GET.get("_outputFormat")
    if fmt is not None and fmt not in NDJSON_FORMATS:
        return operation_outcome(400, "invalid", "_outputFormat: only NDJSON is offered.")
    if "_since" in request.GET:
        return operation_outcome(400, "not-supported", "_since: not supported; export everything.")
    types = [t for t in request.GET.get("_type", "").split(",") if t]
    unknown = sorted(set(types) - set(SUPPORTED_TYPES))
    if unknown:
        return operation_outcome(400, "invalid", f"_type: unknown type {', '.join(unknown)}.")
    export = actions.start_export(
        ctx=_ctx(request),
        actor=principal.user,
        client=principal.client,
        clinic=principal.clinic,
        level=level,
        types=types,
        request_url=request.build_absolute_uri(),
    )
    location = f"{_base(request)}/bulkstatus/{export.pk}"
    return fhir_response(
        {
            "resourceType": "OperationOutcome",
            "issue": [
                {"severity": "information", "code": "informational", "diagnostics": "Accepted."}
            ],
        },
        202,
        Content_Location=location,
    )


@require_http_methods(["GET"])
@fhir_view(SCOPE_EXPORT)
def system_export(request: HttpRequest, principal: Principal) -> HttpResponse:
    return _kickoff(request, principal, "system")


@require_http_methods(["GET"])
@fhir_view(SCOPE_EXPORT)
def group_export(request: HttpRequest, principal: Principal, gid: str) -> HttpResponse:
    if gid != cohort_id(principal.clinic):
        return _not_found("Group", gid)
    return _kickoff(request, principal, "group")


def _own_export(principal: Principal, export_id: int) -> BulkExport | None:
    export = BulkExport.objects.filter(pk=export_id, clinic=principal.clinic).first()
    return export if export is not None and principal.owns(export) else None


@csrf_exempt  # DELETE is accepted from bearer-token clients only, which carry no cookies
@require_http_methods(["GET", "DELETE"])
@fhir_view(SCOPE_EXPORT)
def export_status(request: HttpRequest, principal: Principal, export_id: int) -> HttpResponse:
    export = _own_export(principal, export_id)
    if export is None or export.status == ExportStatus.CANCELLED:
        return _not_found("export", str(export_id))
    if request.method == "DELETE":
        if principal.client is None:
            return operation_outcome(405, "not-supported", "Cancel with the API client's token.")
        actions.cancel_export(ctx=_ctx(request), actor=None, export=export)
        return fhir_response({"resourceType": "OperationOutcome", "issue": []}, 202)
    if export.status in (ExportStatus.QUEUED, ExportStatus.RUNNING):
        response = HttpResponse(status=202)
        response["X-Progress"] = export.progress or export.status
        response["Retry-After"] = "2"
        return response
    if export.status == ExportStatus.FAILED:
        return operation_outcome(500, "exception", "The export failed; ask for a new one.")
    base = _base(request)
    manifest = {
        "transactionTime": (export.finished_at or export.created_at).isoformat(),
        "request": export.request_url,
        "requiresAccessToken": True,
        "output": [
            {"type": t, "url": f"{base}/bulkstatus/{export.pk}/{t}.ndjson", "count": v["count"]}
            for t, v in sorted(export.output.items())
        ],
        "error": [],
    }
    return HttpResponse(json.dumps(manifest), content_type="application/json")


@require_http_methods(["GET"])
@fhir_view(SCOPE_EXPORT)
def export_file(
    request: HttpRequest, principal: Principal, export_id: int, rtype: str
) -> HttpResponse | FileResponse:
    export = _own_export(principal, export_id)
    if export is None or export.status != ExportStatus.DONE or rtype not in export.output:
        return _not_found("file", f"{rtype}.ndjson")
    path = export_folder(export.pk) / f"{rtype}.ndjson"  # rtype is a key we wrote, not input
    if not path.exists():
        return _not_found("file", f"{rtype}.ndjson")
    return FileResponse(path.open("rb"), content_type="application/fhir+ndjson")
