"""Cases built a chunk at a time equal cases built one by one, in a bounded number of queries."""

from __future__ import annotations

from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from annulus.analytics.synthetic import seed_registry
from annulus.audit.models import AuditEvent
from annulus.candidacy.bulk import chunks
from annulus.candidacy.case_builder import build_case
from annulus.patients.models import Patient

pytestmark = pytest.mark.django_db
DAY = date(2026, 12, 1)


def test_chunked_cases_equal_single_cases_in_few_queries(
    django_assert_max_num_queries: Any,
) -> None:
    clinic = seed_registry(45, seed=5, slug="bulk")
    patients = Patient.objects.filter(clinic=clinic).select_related("clinic")
    built = {}
    with django_assert_max_num_queries(3 * (1 + 6) + 1):  # 3 chunks of 20: patients + records
        for chunk, records in chunks(patients, size=20):
            for patient in chunk:
                built[patient.pk] = build_case(patient, DAY, records[patient.pk])
    assert len(built) == 45
    for patient in patients:
        assert build_case(patient, DAY) == built[patient.pk]
    assert all("discography" in case["diagnostics"] for case in built.values())


def test_rescreen_runs_over_the_registry_with_progress(tmp_path: Any) -> None:
    seed_registry(30, seed=2, slug="rescreen")
    err, out = StringIO(), StringIO()
    call_command("rescreen", "--protocol", "annulus-default@1", stdout=out, stderr=err)
    assert "rescreen: 30/30 patients" in err.getvalue()
    assert "of 30 patients would change" in out.getvalue()
    call_command("export_case", "--all", str(tmp_path), stdout=out, stderr=err)
    assert len(list(tmp_path.glob("*.json"))) == 30
    assert AuditEvent.objects.filter(action="candidacy.case_export").count() == 1
