"""The FHIR endpoints: who may read what, the audit trail, and the Bulk Data $export flow."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class

from annulus.accounts.models import Role, User
from annulus.audit.models import AuditEvent
from annulus.interop import actions
from annulus.interop.models import SCOPE_EXPORT, SCOPE_READ, BulkExport
from annulus.interop.tasks import run_bulk_export
from annulus.testing import make_staff, sign_in

FHIR = "/fhir/R4"


def _json(response: Any) -> Any:
    return json.loads(
        b"".join(response.streaming_content) if response.streaming else response.content
    )


def _token(clinic: Any, scopes: list[str], **kwargs: Any) -> str:
    from annulus.audit.context import AuditContext

    director = User.objects.get(email="director@demo.annulus.test")
    created = actions.create_client(
        actor=director,
        ctx=AuditContext.system("test"),
        clinic=clinic,
        name="Registry",
        scopes=scopes,
        days=30,
        **kwargs,
    )
    return created.token


@pytest.fixture
def patient(demo_clinic: Any) -> Any:
    from annulus.patients.models import Patient

    return Patient.objects.filter(clinic=demo_clinic).order_by("pk").first()


@pytest.fixture
def clinician_client(client: Client, demo_clinic: Any) -> Client:
    return sign_in(client, User.objects.get(email="clinician@demo.annulus.test"))


def test_it_serves_a_capability_statement_to_anyone(client: Client, db: Any) -> None:
    response = client.get(f"{FHIR}/metadata")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    data = _json(response)
    get_fhir_model_class("CapabilityStatement").model_validate(data)
    types = {r["type"] for r in data["rest"][0]["resource"]}
    assert {"Patient", "Observation", "Procedure", "Provenance"} <= types


def test_it_refuses_anonymous_and_unverified_callers(client: Client, patient: Any) -> None:
    response = client.get(f"{FHIR}/Patient/patient-{patient.pk}")
    assert response.status_code == 401
    assert _json(response)["resourceType"] == "OperationOutcome"
    sign_in(client, User.objects.get(email="clinician@demo.annulus.test"), verified=False)
    assert client.get(f"{FHIR}/Patient/patient-{patient.pk}").status_code == 401


def test_it_reads_a_patient_for_staff_and_audits_it(clinician_client: Client, patient: Any) -> None:
    response = clinician_client.get(f"{FHIR}/Patient/patient-{patient.pk}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    data = _json(response)
    assert data["name"][0]["family"] == patient.last_name
    event = AuditEvent.objects.filter(action="fhir.read").latest("id")
    assert event.patient_id == patient.pk
    assert patient.last_name not in json.dumps(event.details)


def test_it_reads_each_resource_by_its_id(clinician_client: Client, full_record: Any) -> None:
    everything = _json(clinician_client.get(f"{FHIR}/Patient/patient-{full_record.pk}/$everything"))
    seen = set()
    for entry in everything["entry"]:
        rtype, rid = entry["resource"]["resourceType"], entry["resource"]["id"]
        if rtype in seen:
            continue
        seen.add(rtype)
        response = clinician_client.get(f"{FHIR}/{rtype}/{rid}")
        assert response.status_code == 200, (rtype, rid)
        assert _json(response) == entry["resource"]
    assert {"Condition", "Procedure", "GuidanceResponse", "Consent", "AdverseEvent"} <= seen


def test_it_returns_everything_as_a_valid_bundle(clinician_client: Client, patient: Any) -> None:
    response = clinician_client.get(f"{FHIR}/Patient/patient-{patient.pk}/$everything")
    assert response.status_code == 200
    bundle = get_fhir_model_class("Bundle").model_validate(_json(response))
    subjects = set()
    for entry in bundle.entry:
        data = entry.resource.model_dump(mode="json", exclude_none=True)
        ref = (data.get("subject") or data.get("patient") or {}).get("reference")
        if ref:
            subjects.add(ref)
    assert subjects == {f"Patient/patient-{patient.pk}"}
    assert AuditEvent.objects.filter(action="fhir.everything", patient_id=patient.pk).exists()


def test_it_hides_another_clinics_patient_with_a_404(client: Client, patient: Any) -> None:
    from annulus.testing import make_clinic

    outsider = make_staff(make_clinic("Elsewhere (test)"), Role.CLINICIAN)
    sign_in(client, outsider)
    for url in (
        f"{FHIR}/Patient/patient-{patient.pk}",
        f"{FHIR}/Patient/patient-{patient.pk}/$everything",
        f"{FHIR}/Condition/condition-{patient.pk}-clbp",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert _json(response)["issue"][0]["code"] == "not-found"
    denied = AuditEvent.objects.filter(action="fhir.read", outcome="denied", patient_id=patient.pk)
    assert denied.count() == 3
    # A patient who does not exist looks exactly the same.
    assert client.get(f"{FHIR}/Patient/patient-999999").status_code == 404


def test_it_accepts_an_api_client_token_until_revoked_or_expired(
    client: Client, demo_clinic: Any, patient: Any
) -> None:
    from annulus.audit.context import AuditContext
    from annulus.interop.models import FhirClient

    token = _token(demo_clinic, [SCOPE_READ])
    url = f"{FHIR}/Patient/patient-{patient.pk}"
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert client.get(url, HTTP_AUTHORIZATION="Bearer " + "x" * 43).status_code == 401
    stored = FhirClient.objects.get()
    assert token not in stored.token_hash
    actions.revoke_client(actor=None, ctx=AuditContext.system("test"), client=stored)
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    old = _token(demo_clinic, [SCOPE_READ], now=timezone.now() - timedelta(days=31))
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {old}").status_code == 401


def test_it_needs_the_export_scope_for_bulk_export(client: Client, demo_clinic: Any) -> None:
    token = _token(demo_clinic, [SCOPE_READ])
    response = client.get(
        f"{FHIR}/$export", HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_PREFER="respond-async"
    )
    assert response.status_code == 403


def test_it_runs_the_bulk_export_flow_end_to_end(
    client: Client, demo_clinic: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from annulus.patients.models import Patient

    token = _token(demo_clinic, [SCOPE_READ, SCOPE_EXPORT])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    with django_capture_on_commit_callbacks(execute=False) as queued:
        kickoff = client.get(
            f"{FHIR}/Group/cohort-{demo_clinic.pk}/$export",
            HTTP_PREFER="respond-async",
            HTTP_ACCEPT="application/fhir+json",
            **auth,
        )
    assert kickoff.status_code == 202
    assert len(queued) == 1  # the task is enqueued only once the request's transaction commits
    status_url = kickoff["Content-Location"]
    export = BulkExport.objects.get()
    assert status_url.endswith(f"/fhir/R4/bulkstatus/{export.pk}")

    waiting = client.get(status_url, **auth)
    assert waiting.status_code == 202
    assert waiting["X-Progress"]

    assert run_bulk_export.call(export.pk) == "done"
    done = client.get(status_url, **auth)
    assert done.status_code == 200
    manifest = _json(done)
    assert manifest["requiresAccessToken"] is True
    types = {item["type"] for item in manifest["output"]}
    assert len(types) >= 10
    for item in manifest["output"]:
        response = client.get(item["url"], **auth)
        assert response.status_code == 200
        lines = b"".join(response.streaming_content).decode().splitlines()
        assert len(lines) == item["count"]
        for line in lines:
            get_fhir_model_class(item["type"]).model_validate(json.loads(line))
    patients = Patient.objects.filter(clinic=demo_clinic).count()
    assert AuditEvent.objects.filter(action="fhir.export").count() == patients

    # Files go back only to whoever asked: another client of the same clinic gets 404.
    other = {"HTTP_AUTHORIZATION": f"Bearer {_token(demo_clinic, [SCOPE_EXPORT])}"}
    assert client.get(status_url, **other).status_code == 404
    assert client.get(manifest["output"][0]["url"], **other).status_code == 404


def test_it_exports_only_the_callers_own_group(client: Client, demo_clinic: Any) -> None:
    token = _token(demo_clinic, [SCOPE_EXPORT])
    response = client.get(
        f"{FHIR}/Group/cohort-{demo_clinic.pk + 1}/$export",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_PREFER="respond-async",
    )
    assert response.status_code == 404
    assert not BulkExport.objects.exists()


def test_it_refuses_export_without_respond_async(client: Client, demo_clinic: Any) -> None:
    token = _token(demo_clinic, [SCOPE_EXPORT])
    response = client.get(f"{FHIR}/$export", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 400
    assert "respond-async" in _json(response)["issue"][0]["diagnostics"]
