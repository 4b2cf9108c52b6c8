"""Fixtures: the demo clinic (the real seed), and a record that has every kind of resource.

The seed runs once per test module, not once per test (`demo_seeded_once`, annulus/conftest.py).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone


@pytest.fixture
def demo_clinic(demo_seeded_once: None, db: Any, settings: Any, tmp_path: Any) -> Any:
    from annulus.accounts.models import Clinic

    settings.ANNULUS_FHIR_EXPORT_DIR = tmp_path / "exports"
    return Clinic.objects.get(slug="riverbend")


@pytest.fixture
def full_record(demo_clinic: Any) -> Any:
    """A demo patient with an evaluation, a consent and an adverse event added."""
    from annulus.accounts.models import User
    from annulus.candidacy.models import Evaluation
    from annulus.clinical.models import AdverseEvent, FibrinProcedure
    from annulus.patients.models import Consent

    proc = FibrinProcedure.objects.filter(patient__clinic=demo_clinic).first()
    assert proc is not None
    patient = proc.patient
    clinician = User.objects.get(email="clinician@demo.annulus.test")
    Evaluation.objects.create(
        patient=patient,
        protocol_id="iaf-candidacy",
        protocol_version=1,
        protocol_sha256="a" * 64,
        assessed_on=date(2026, 1, 5),
        case_snapshot={},
        decision={"outcome": "candidate"},
        outcome="candidate",
        evaluated_by=clinician,
    )
    Consent.objects.create(
        patient=patient,
        kind="treatment",
        granted=True,
        wording_version="treatment-v1",
        source="clinic",
        recorded_by=clinician,
    )
    AdverseEvent.objects.create(
        patient=patient,
        procedure=proc,
        onset_on=proc.performed_on + timedelta(days=3),
        description="Back pain flare for two days",
        related=True,
        serious=False,
        created_by=clinician,
        created_at=timezone.now(),
    )
    return patient


class _Null:
    def write(self, *_: Any) -> None:
        pass

    def flush(self) -> None:
        pass
