"""Patients who had no procedure are never asked about change "since your treatment"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from annulus.clinical.models import AlternativeReferral
from annulus.outcomes import actions, library
from annulus.outcomes.catalog import visible_texts
from annulus.patients.models import Patient

pytestmark = pytest.mark.django_db


def _asked(follow_up) -> set[str]:
    return {i for inv in follow_up.invitations.all() for i in inv.instruments}


def _wording(instrument_ids: set[str]) -> str:
    texts = [text for i in instrument_ids for _, text in visible_texts(library.shipped(i))]
    return " ".join(texts + [library.shipped(i).title for i in instrument_ids]).lower()


def test_a_conservative_care_patient_is_asked_from_their_first_visit(clinic):
    today = datetime.now(UTC).astimezone(clinic.zone).date()
    patient = Patient.objects.create(clinic=clinic, first_name="Sam", last_name="Example")
    AlternativeReferral.objects.create(
        patient=patient, alternative="conservative_care", referred_on=today - timedelta(days=3)
    )
    follow_up = actions.enrol(patient)
    asked = _asked(follow_up)
    assert "pgic" not in asked and "satisfaction" not in asked
    assert "since-first-visit-change" in asked
    wording = _wording(asked)
    assert "your treatment" not in wording and "since your first visit" in wording


def test_a_treated_patient_keeps_the_since_treatment_wording(clinic):
    today = datetime.now(UTC).astimezone(clinic.zone).date()
    patient = Patient.objects.create(
        clinic=clinic, first_name="Robin", last_name="Example", procedure_date=today
    )
    asked = _asked(actions.enrol(patient))
    assert "pgic" in asked and "since-first-visit-change" not in asked
