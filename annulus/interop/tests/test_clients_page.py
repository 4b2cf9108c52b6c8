"""The director's page for FHIR API clients."""

from __future__ import annotations

from typing import Any

from django.test import Client

from annulus.accounts.models import User
from annulus.audit.models import AuditEvent
from annulus.interop.models import FhirClient
from annulus.lib.tokens import token_hash
from annulus.testing import sign_in


def test_it_creates_a_client_showing_the_token_once(client: Client, demo_clinic: Any) -> None:
    sign_in(client, User.objects.get(email="director@demo.annulus.test"))
    response = client.post(
        "/staff/fhir-clients/", {"name": "Registry", "scopes": ["system/*.read"], "days": 30}
    )
    assert response.status_code == 200
    token = response.context["token"]
    stored = FhirClient.objects.get(token_hash=token_hash(token))
    assert token not in client.get("/staff/fhir-clients/").content.decode()
    client.post(f"/staff/fhir-clients/{stored.pk}/revoke/")
    stored.refresh_from_db()
    assert stored.revoked_at is not None
    assert AuditEvent.objects.filter(action="fhir.client.revoke").exists()


def test_it_names_the_field_when_input_is_bad(client: Client, demo_clinic: Any) -> None:
    sign_in(client, User.objects.get(email="director@demo.annulus.test"))
    response = client.post("/staff/fhir-clients/", {"name": "", "days": 999})
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"name", "scopes", "days"}
    assert not FhirClient.objects.exists()


def test_it_is_for_the_director_only(client: Client, demo_clinic: Any) -> None:
    sign_in(client, User.objects.get(email="clinician@demo.annulus.test"))
    assert client.get("/staff/fhir-clients/").status_code == 403
