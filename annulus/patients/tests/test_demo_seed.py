from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from annulus.candidacy.case_builder import build_case
from annulus.candidacy.engine import evaluate, load_protocol, parse_case
from annulus.patients import demo
from annulus.patients.models import Patient, Stage

pytestmark = pytest.mark.django_db

ALL_ROUTES = [
    "fibrin_injection",
    "emergency_department",
    "urgent_medical_review",
    "conservative_care",
    "radicular_pain_care",
    "facet_directed_care",
    "si_joint_care",
    "fusion_consult",
    "spine_surgery_consult",
    "multidisciplinary_review",
]


def test_the_seed_is_idempotent_and_covers_every_stage():
    call_command("seed_demo", "--quiet-logins")
    call_command("seed_demo", "--quiet-logins")
    assert Patient.objects.count() == len(demo.PATIENTS)
    assert set(Patient.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert Patient.objects.filter(veteran=True, va_authorizations__isnull=False).exists()


def test_each_demo_patient_gets_the_decision_it_was_built_for():
    call_command("seed_demo", "--quiet-logins")
    protocol = load_protocol("annulus-default")
    today = datetime.now(UTC).astimezone(ZoneInfo("America/Chicago")).date()  # as the seed
    seen_routes = set()
    for spec in demo.PATIENTS:
        patient = Patient.objects.get(email=demo.email_for(spec))
        decision = evaluate(parse_case(build_case(patient, today)), protocol).to_dict()
        expected = spec.expect
        if expected == "needs_more_information":
            assert decision["outcome"] == expected, (spec.first, decision)
        else:
            assert expected in decision["routes"], (spec.first, decision["routes"], decision)
        seen_routes.update(decision["routes"])
    assert set(ALL_ROUTES) <= seen_routes
