"""M5: every staff route × every role against the permission matrix (accounts/permissions.yaml)."""

from __future__ import annotations

import pytest
from django.urls import resolve

from annulus.accounts.models import Role
from annulus.accounts.permissions import matrix
from annulus.accounts.policy import STAFF, access_level
from annulus.accounts.tests.test_deny_by_default import ROUTES, sample_url
from annulus.patients.tests.test_record import make_patient
from annulus.testing import make_staff, sign_in

pytestmark = pytest.mark.django_db

STAFF_ROUTES = [
    (name, pattern)
    for name, pattern in ROUTES
    if access_level(resolve(sample_url(pattern)).func) == STAFF
]


def test_every_staff_route_has_an_entry():
    missing = sorted(name for name, _ in STAFF_ROUTES if name not in matrix().routes)
    assert not missing, f"add these routes to accounts/permissions.yaml: {missing}"


def test_the_matrix_names_only_real_routes():
    real = {name for name, _ in ROUTES}
    assert not set(matrix().routes) - real


def test_minimum_necessary():
    m = matrix()
    admin, coordinator = {Role.ADMIN.value}, {Role.COORDINATOR.value}
    for capability in ("patients.read", "clinical.read", "scheduling.read"):
        assert not m.grants(admin, capability), capability
    assert not m.grants(coordinator, m.capability("clinical:discography", "POST") or "")
    assert not m.grants(coordinator, m.capability("clinical:adverse_event_new", "POST") or "")


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_each_role_reaches_exactly_what_the_matrix_grants(client, clinic, role):
    patient = make_patient(clinic)
    sign_in(client, make_staff(clinic, role))
    m = matrix()
    wrong = []
    for name, pattern in STAFF_ROUTES:
        url = sample_url(pattern).replace("/patients/1/", f"/patients/{patient.pk}/")
        if name == "accounts:logout":
            continue  # would end this session
        for method in ("GET", "POST"):
            capability = m.capability(name, method)
            granted = capability is not None and m.grants({role.value}, capability)
            if method == "POST" and granted:
                continue  # a granted write would change data; the app's own tests cover it
            response = client.get(url) if method == "GET" else client.post(url, {})
            if granted and response.status_code == 403:
                wrong.append(f"{method} {name}: refused but granted ({capability})")
            if not granted and response.status_code != 403:
                wrong.append(f"{method} {name}: {response.status_code} but not granted")
    assert not wrong, "\n".join(wrong)
