"""L4/L5: no copies of private pages in caches, audited probes, durable SQLite commits."""

from __future__ import annotations

import pytest
from django.db import connection

from annulus.audit.models import AuditEvent, Outcome
from annulus.lib.tokens import new_token

pytestmark = pytest.mark.django_db


def test_every_staff_page_is_no_store(staff_client):
    for path in ("/staff/", "/staff/patients/", "/accounts/mfa/backup-codes/"):
        response = staff_client.get(path)
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "no-store", path


@pytest.mark.parametrize("prefix", ["/intake/", "/survey/", "/book/manage/", "/screen/result/"])
def test_every_patient_link_page_is_no_store(client, clinic, prefix):
    response = client.get(f"{prefix}{new_token()}/")
    assert response["Cache-Control"] == "no-store"


def test_public_articles_may_still_be_cached(client, clinic):
    response = client.get("/")
    assert "no-store" not in response.get("Cache-Control", "")


def test_a_probe_for_a_patient_id_that_does_not_exist_is_audited_as_denied(staff_client):
    response = staff_client.get("/staff/patients/987654/")
    assert response.status_code == 404
    event = AuditEvent.objects.get(action="access.denied")
    assert event.outcome == Outcome.DENIED
    assert event.details["pk"] == "987654"


def test_sqlite_commits_are_durable_across_power_loss():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 2  # FULL
