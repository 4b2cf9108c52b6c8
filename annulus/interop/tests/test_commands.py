"""`annulus fhir-export` and `annulus fhir-client` on the demo clinic."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from fhir.resources.R4B import get_fhir_model_class

from annulus.audit.models import AuditEvent
from annulus.interop.models import FhirClient
from annulus.lib.tokens import token_hash
from annulus.patients import demo


def test_it_exports_the_demo_as_ndjson_with_ten_types(demo_clinic: Any, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("fhir_export", "--all", str(tmp_path / "out"), stdout=out)
    files = sorted((tmp_path / "out").glob("*.ndjson"))
    assert len(files) >= 10
    for path in files:
        rtype = path.stem
        for line in path.read_text().splitlines():
            data = json.loads(line)
            assert data["resourceType"] == rtype
            get_fhir_model_class(rtype).model_validate(data)
    n = len(demo.PATIENTS)
    assert f"{n}/{n} patients" in out.getvalue()
    assert AuditEvent.objects.filter(action="fhir.export").count() == n


def test_it_exports_one_patient(demo_clinic: Any, tmp_path: Path) -> None:
    from annulus.patients.models import Patient

    patient = Patient.objects.filter(clinic=demo_clinic).first()
    assert patient is not None
    call_command("fhir_export", "--patient", str(patient.pk), str(tmp_path), stdout=io.StringIO())
    lines = (tmp_path / "Patient.ndjson").read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [f"patient-{patient.pk}"]
    with pytest.raises(CommandError, match="--patient"):
        call_command("fhir_export", "--patient", "999999", str(tmp_path), stdout=io.StringIO())


def test_it_creates_and_revokes_a_client_from_the_command_line(demo_clinic: Any) -> None:
    out = io.StringIO()
    call_command(
        "fhir_client",
        "create",
        "--clinic",
        demo_clinic.slug,
        "--name",
        "Registry",
        "--director",
        "director@demo.annulus.test",
        "--scope",
        "system/*.export",
        stdout=out,
    )
    token = out.getvalue().split("store it now): ")[1].strip()
    client = FhirClient.objects.get(token_hash=token_hash(token))
    assert client.scopes == ["system/*.export"]
    call_command("fhir_client", "revoke", str(client.pk), stdout=io.StringIO())
    client.refresh_from_db()
    assert client.revoked_at is not None
    with pytest.raises(CommandError, match="--director"):
        call_command(
            "fhir_client",
            "create",
            "--clinic",
            demo_clinic.slug,
            "--name",
            "X",
            "--director",
            "coordinator@demo.annulus.test",
            stdout=io.StringIO(),
        )
