"""#17 item 7: the seeded demo tells one consistent story."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from annulus.candidacy.models import Evaluation
from annulus.clinical.models import FibrinProcedure
from annulus.leads.models import Lead, LeadStatus
from annulus.patients import demo
from annulus.patients.demo_workup import protocol_version_on
from annulus.patients.models import Patient, Stage
from annulus.patients.timeline import timeline
from annulus.scheduling.models import Appointment, Status

pytestmark = pytest.mark.django_db

PAST_WORK_UP = (Stage.DECISION, Stage.TREATED, Stage.FOLLOW_UP, Stage.CLOSED)


@pytest.fixture
def seeded(demo_seeded_once):
    """The demo, seeded once for the module (annulus/conftest.py); its date as the seed saw it."""
    clinic = Patient.objects.first().clinic
    return datetime.now(UTC).astimezone(clinic.zone).date()


def test_every_patient_past_the_work_up_has_a_decision_under_the_version_of_its_date(seeded):
    today = seeded
    past = Patient.objects.filter(stage__in=PAST_WORK_UP)
    assert past.count() >= 10
    for patient in past:
        evaluations = list(Evaluation.objects.filter(patient=patient))
        assert evaluations, f"{patient.first_name} has no stored decision"
        for evaluation in evaluations:
            assert evaluation.protocol_id == "annulus-default"
            expected = protocol_version_on(evaluation.assessed_on, today)
            assert evaluation.protocol_version == expected, patient.first_name
            local = evaluation.evaluated_at.astimezone(patient.clinic.zone).date()
            assert local == evaluation.assessed_on, patient.first_name


def test_no_closed_or_emergency_route_patient_has_anything_ahead(seeded):
    today = seeded
    emergency = {demo.email_for(s) for s in demo.PATIENTS if s.expect == "emergency_department"}
    stopped = Patient.objects.filter(stage=Stage.CLOSED) | Patient.objects.filter(
        email__in=emergency
    )
    assert stopped.exists()
    for patient in stopped:
        ahead = Appointment.objects.filter(patient=patient, start__gte=timezone.now()).exclude(
            status=Status.CANCELLED
        )
        assert not ahead.exists(), f"{patient.first_name} is booked: {list(ahead)}"
        assert not FibrinProcedure.objects.filter(patient=patient, performed_on__gt=today).exists()
        assert patient.procedure_date is None or patient.procedure_date <= today
    # The calendar is not empty for the others.
    assert Appointment.objects.filter(start__gte=timezone.now()).count() >= 6


def test_leads_are_seeded_one_of_them_converted(seeded):
    leads = Lead.objects.all()
    assert leads.count() >= 4
    assert {LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.CONVERTED} <= set(
        leads.values_list("status", flat=True)
    )
    converted = leads.get(status=LeadStatus.CONVERTED)
    assert converted.patient is not None and converted.patient.stage == Stage.NEW


def test_timelines_read_in_event_order_with_the_record_opened_first(seeded):
    for patient in Patient.objects.all():
        entries = timeline(patient)
        days = [e.when for e in entries]
        assert days == sorted(days, reverse=True), patient.first_name
        created = [e for e in entries if e.title == "Record created"]
        assert len(created) == 1
        assert created[0].when == min(days), (patient.first_name, entries)
