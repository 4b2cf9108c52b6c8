"""The patient actions: each write leaves exactly its change record and its audit event."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError

from annulus.accounts.models import Role
from annulus.audit.context import AuditContext
from annulus.audit.models import AuditEvent
from annulus.leads.models import Lead
from annulus.patients.actions import change_stage, create_patient, update_patient
from annulus.patients.events import treatment_anchor_changed
from annulus.patients.models import ChangeRecord, Patient, Stage
from annulus.testing import make_staff, sign_in

pytestmark = pytest.mark.django_db

CTX = AuditContext(request_id="req-1", ip="192.0.2.7")


def _one_creation(patient: Patient) -> tuple[ChangeRecord, AuditEvent]:
    """The patient's single change record and single audit event (fails on zero or two)."""
    changes = ChangeRecord.objects.filter(patient=patient, record_type="Patient")
    events = AuditEvent.objects.filter(patient_id=patient.pk).exclude(
        action__in=["patient.read", "patient.write"]
    )
    assert changes.count() == 1, list(changes.values("action", "changes"))
    assert events.count() == 1, list(events.values_list("action", flat=True))
    return changes.get(), events.get()


def test_it_creates_a_patient_with_one_change_record_and_one_audit_event(clinic, clinician):
    patient = create_patient(
        clinic,
        actor=clinician,
        ctx=CTX,
        first_name="Robin",
        last_name="Example",
        date_of_birth=date(1980, 5, 4),
    )
    change, event = _one_creation(patient)
    assert (change.action, change.changed_by, change.via_patient_link) == (
        "create",
        clinician,
        False,
    )
    assert change.changes["last_name"] == [None, "Example"]
    assert change.changes["date_of_birth"] == [None, "1980-05-04"]
    assert (event.action, event.actor, event.clinic) == ("patient.create", clinician, clinic)
    assert (event.request_id, event.ip) == ("req-1", "192.0.2.7")
    assert "Example" not in str(event.details)  # codes only, never the name


def test_it_marks_a_patients_own_entry_as_through_their_link(clinic):
    patient = create_patient(
        clinic, actor=None, ctx=CTX, via_patient_link=True, first_name="A", last_name="B"
    )
    change, event = _one_creation(patient)
    assert change.via_patient_link and change.changed_by is None and event.actor is None


def test_it_writes_nothing_when_the_creation_fails(clinic):
    with pytest.raises(IntegrityError):
        create_patient(clinic, actor=None, ctx=CTX, first_name="A", last_name="B", stage="bogus")
    assert not Patient.objects.exists()
    assert not ChangeRecord.objects.exists()
    assert not AuditEvent.objects.filter(action="patient.create").exists()


def test_the_staff_form_creates_a_patient_with_one_change_record_and_one_audit_event(
    staff_client, clinic, clinician
):
    response = staff_client.post(
        "/staff/patients/new/",
        {
            "first_name": "Robin",
            "last_name": "Example",
            "date_of_birth": "1980-05-04",
            "sex": "unknown",
            "preferred_contact": "email",
            "veteran": "unknown",
            "stage": "new",
        },
    )
    assert response.status_code == 302
    change, event = _one_creation(Patient.objects.get())
    assert (change.action, change.changed_by) == ("create", clinician)
    assert event.action == "patient.create"


def test_a_lead_becomes_a_patient_with_one_change_record_and_one_patient_event(client, clinic):
    from django.utils import timezone

    now = timezone.now()
    lead = Lead.objects.create(
        clinic=clinic,
        first_name="Person1",
        email="person1@example.org",
        consent_wording_version="guide-form-v1",
        consent_given_at=now,
        created_at=now,
    )
    coordinator = make_staff(clinic, Role.COORDINATOR)
    sign_in(client, coordinator)
    data = {"first_name": "Person1", "last_name": "Example", "veteran": "unknown"}
    assert client.post(f"/staff/leads/{lead.pk}/", data).status_code == 302
    patient = Patient.objects.get()
    changes = ChangeRecord.objects.filter(patient=patient, record_type="Patient")
    assert list(changes.values_list("action", "changed_by")) == [("create", coordinator.pk)]
    created = AuditEvent.objects.filter(patient_id=patient.pk, action="patient.create")
    assert created.count() == 1 and created.get().actor == coordinator
    # The lead's own event still says it was converted.
    assert AuditEvent.objects.filter(action="lead.converted", patient_id=patient.pk).count() == 1


def test_it_updates_a_patient_and_records_before_and_after(clinic, clinician):
    patient = create_patient(clinic, actor=None, ctx=CTX, first_name="A", last_name="B")
    update_patient(patient, actor=clinician, ctx=CTX, last_name="C")
    change = ChangeRecord.objects.get(patient=patient, action="update")
    assert change.changes == {"last_name": ["B", "C"]} and change.changed_by == clinician
    assert AuditEvent.objects.filter(action="patient.update", patient_id=patient.pk).count() == 1


def test_only_a_changed_planned_date_says_the_treatment_anchor_moved(clinic):
    heard: list[int] = []

    def receiver(sender, patient, **kwargs):
        heard.append(patient.pk)

    treatment_anchor_changed.connect(receiver, dispatch_uid="test-anchor")
    try:
        patient = create_patient(clinic, actor=None, ctx=CTX, first_name="A", last_name="B")
        update_patient(patient, actor=None, ctx=CTX, last_name="C")
        assert heard == []
        update_patient(patient, actor=None, ctx=CTX, procedure_date=date(2026, 3, 1))
        assert heard == [patient.pk]
    finally:
        treatment_anchor_changed.disconnect(dispatch_uid="test-anchor")


def test_it_changes_the_stage_once_with_its_reason(clinic, clinician):
    patient = create_patient(clinic, actor=None, ctx=CTX, first_name="A", last_name="B")
    change_stage(patient, Stage.WORK_UP, actor=clinician, ctx=CTX, reason="intake.review")
    change_stage(patient, Stage.WORK_UP, actor=clinician, ctx=CTX)  # already there: nothing
    patient.refresh_from_db()
    assert patient.stage == Stage.WORK_UP
    change = ChangeRecord.objects.get(patient=patient, action="update")
    assert change.changes == {"stage": ["new", "work-up"]}
    event = AuditEvent.objects.get(action="patient.stage", patient_id=patient.pk)
    assert event.details == {"fields": ["stage"], "reason": "intake.review"}
