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


def test_the_seed_is_idempotent_and_covers_every_stage(demo_seeded_once):
    call_command("seed_demo", "--quiet-logins")  # again, on top of the module's seed
    assert Patient.objects.count() == len(demo.PATIENTS)
    assert set(Patient.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert Patient.objects.filter(veteran=True, va_authorizations__isnull=False).exists()


def test_each_demo_patient_gets_the_decision_it_was_built_for(demo_seeded_once):
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


def test_the_demo_decisions_were_stored_under_v1_and_v2_changes_some(demo_seeded_once):
    from io import StringIO

    from annulus.candidacy.models import Evaluation

    decided = Patient.objects.exclude(stage__in=[Stage.NEW, Stage.WORK_UP])
    assert decided.exists()
    for patient in decided:
        stored = Evaluation.objects.filter(patient=patient).order_by("-evaluated_at").first()
        assert stored is not None, patient.first_name
        assert stored.protocol_version == 1
    out = StringIO()
    call_command("rescreen", "--protocol", "annulus-default@2", "--names", stdout=out)
    parker = Patient.objects.get(first_name="Parker")
    lines = [line for line in out.getvalue().splitlines() if f"patient {parker.pk}:" in line]
    assert lines and "Parker" in lines[0], out.getvalue()
