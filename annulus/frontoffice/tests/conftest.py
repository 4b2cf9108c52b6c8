"""Fixtures for the front desk: a private document store, a referring doctor, an evaluation."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from annulus.audit.context import AuditContext
from annulus.documents.tests.conftest import document_store  # noqa: F401  (autouse)
from annulus.frontoffice.npi import with_check_digit
from annulus.frontoffice.referral_actions import DoctorDetails, save_doctor
from annulus.website.tests.fixtures import quick_forms, rate_limits  # noqa: F401

CTX = AuditContext.system("test")


def details(**changes: Any) -> DoctorDetails:
    values = {
        "name": "Dr Ada Lindqvist (synthetic)",
        "practice": "Maple Family Practice",
        "npi": with_check_digit("123456789"),
        "email": "lindqvist@maple.test",
        "fax": "",
    }
    values.update(changes)
    return DoctorDetails(**values)


@pytest.fixture
def doctor(clinic: Any) -> Any:
    return save_doctor(clinic, details(), actor=None, ctx=CTX)


@pytest.fixture
def patient(clinic: Any) -> Any:
    from annulus.patients.models import Patient

    return Patient.objects.create(
        clinic=clinic, first_name="Rowan", last_name="Ashcombe", date_of_birth=date(1971, 4, 2)
    )


@pytest.fixture
def evaluation(clinic: Any, clinician: Any) -> Any:
    from annulus.candidacy import actions
    from annulus.candidacy.engine import load_protocol
    from annulus.candidacy.tests.record_helpers import candidate_record

    patient = candidate_record(clinic)
    return actions.record_evaluation(
        patient, protocol=load_protocol("annulus-default", 1), user=clinician
    )
