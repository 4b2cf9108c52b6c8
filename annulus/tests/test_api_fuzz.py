"""L1: a bounded, deterministic Schemathesis run over the project's own OpenAPI, in-process.

Every generated request (valid and invalid) must get a documented status, a body that matches
the schema, and never a server error.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from annulus.wsgi import application

# Server errors, undocumented statuses, bodies or content types that break the schema. Not
# "positive data acceptance": a well-formed slug for a service that does not exist is rightly 422.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def bookable(clinic: Any) -> Any:
    from annulus.scheduling.tests.factories import make_schedule

    return make_schedule(clinic)


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """As Django's test client does: the request must not close the test's open transaction."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,  # the same cases every run
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_never_errors_and_keeps_to_its_schema(
    case: Any, bookable: Any, settings: Any
) -> None:
    settings.RATE_LIMITS_ON = False
    case.call_and_validate(checks=CHECKS)


def _fields(response: Any) -> set[str]:
    return {str(item["loc"][-1]) for item in response.json()["detail"]}


@pytest.mark.django_db
def test_a_date_at_the_end_of_time_is_a_422_naming_the_field(client, bookable):
    url = "/api/v1/slots?service=consultation&from=9999-12-31&to=9999-12-31"
    response = client.get(url)
    assert response.status_code == 422
    assert _fields(response) == {"from", "to"}


@pytest.mark.django_db
@pytest.mark.parametrize("service", ["consult\x00ation", "a b", "../x"])
def test_a_malformed_service_is_a_422_naming_it(client, bookable, service):
    response = client.get("/api/v1/slots", {"service": service, "from": "2030-01-01",
                                            "to": "2030-01-02"})  # fmt: skip
    assert response.status_code == 422
    assert _fields(response) == {"service"}


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_a_422(client, bookable):
    response = client.post("/api/v1/bookings", "{not json", content_type="application/json")
    assert response.status_code == 422
    assert _fields(response) == {"body"}


@pytest.mark.django_db
def test_a_nul_byte_in_a_name_is_a_422(client, bookable):
    body = {"service": "consultation", "start": "2030-01-07T09:00:00-06:00",
            "patient": {"first_name": "Pa\x00t", "last_name": "Example", "email": "p@example.org",
                        "date_of_birth": "1970-01-01"}}  # fmt: skip
    response = client.post("/api/v1/bookings", body, content_type="application/json")
    assert response.status_code == 422
    assert _fields(response) == {"first_name"}


def test_the_schema_states_the_constraints():
    from annulus.api import api

    spec = api.get_openapi_schema()
    params = {p["name"]: p for p in spec["paths"]["/api/v1/slots"]["get"]["parameters"]}
    assert params["service"]["schema"]["pattern"] == "^[-a-zA-Z0-9_]+$"
    assert "2999-12-31" in params["from"]["description"]
    patient = spec["components"]["schemas"]["PatientIn"]["properties"]
    assert patient["email"]["format"] == "email"
