from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annulus.accounts.models import Role
from annulus.audit.models import AuditEvent
from annulus.clinical.models import AdverseEvent, AlternativeReferral, FibrinProcedure
from annulus.clinical.treatment_forms import FibrinProcedureForm
from annulus.consents.testing import signed_consent
from annulus.patients.models import ChangeRecord, Patient, Stage
from annulus.testing import make_staff, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(clinic):
    patient = Patient.objects.create(
        clinic=clinic,
        first_name="Robin",
        last_name="Example",
        date_of_birth=date(1980, 5, 4),
        stage=Stage.DECISION,
    )
    signed_consent(patient, "fibrin-procedure")
    return patient


def treatment_url(patient, tail=""):
    return f"/staff/patients/{patient.pk}/treatment/{tail}"


def procedure_data(by, **changes):
    data = {
        "performed_on": "2026-06-10",
        "levels": ["L4-L5", "L5-S1"],
        "volume_ml__L4-L5": "2",
        "volume_ml__L5-S1": "1.5",
        "product": "Fibrin sealant (test)",
        "manufacturer": "Test Biologics",
        "lot_number": "LOT-0042",
        "lot_expiry": "2027-01-31",
        "labelled_indication": "Adjunct to hemostasis in surgery",
        "off_label": "true",
        "guidance": "fluoroscopy",
        "operator": str(by.pk),
        "sedation": "local",
        "immediate_complications": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def make_procedure(patient, operator, day=date(2026, 6, 10), levels=("L4-L5",)):
    return FibrinProcedure.objects.create(
        patient=patient,
        performed_on=day,
        levels=list(levels),
        volume_ml_per_level=dict.fromkeys(levels, 2.0),
        product="Fibrin sealant (test)",
        lot_number="LOT-1",
        operator=operator,
        sedation="local",
    )


# procedures


def test_it_records_a_procedure_and_moves_the_patient_to_treated(staff_client, patient, clinician):
    response = staff_client.post(
        treatment_url(patient, "procedures/new/"),
        procedure_data(clinician, levels=["L5-S1", "L4-L5"]),
    )
    assert response.status_code == 302
    assert response.url == treatment_url(patient)
    procedure = FibrinProcedure.objects.get(patient=patient)
    assert procedure.levels == ["L4-L5", "L5-S1"]  # cranial to caudal, whatever the order sent
    assert procedure.volume_ml_per_level == {"L4-L5": 2.0, "L5-S1": 1.5}
    assert procedure.operator == clinician
    assert procedure.created_by == clinician
    patient.refresh_from_db()
    assert patient.stage == Stage.TREATED
    assert patient.procedure_date == date(2026, 6, 10)
    created = ChangeRecord.objects.get(patient=patient, record_type="FibrinProcedure")
    assert created.action == "create"
    assert created.changes["lot_number"] == [None, "LOT-0042"]
    moved = ChangeRecord.objects.get(patient=patient, record_type="Patient")
    assert moved.changes == {
        "stage": ["decision", "treated"],
        "procedure_date": [None, "2026-06-10"],
    }
    actions = set(AuditEvent.objects.filter(patient_id=patient.pk).values_list("action", flat=True))
    assert {"fibrin_procedure.record", "patient.treated", "patient.write"} <= actions
    page = staff_client.get(treatment_url(patient))
    assert b"L4-L5: 2.0 mL" in page.content
    assert b"(total 3.5 mL)" in page.content
    assert b"LOT-0042" in page.content


def test_it_keeps_the_first_procedure_date_when_a_second_is_recorded(
    staff_client, patient, clinician
):
    patient.stage, patient.procedure_date = Stage.FOLLOW_UP, date(2026, 3, 1)
    patient.save()
    response = staff_client.post(
        treatment_url(patient, "procedures/new/"),
        procedure_data(clinician, levels=["L3-L4"], **{"volume_ml__L3-L4": "1"}),
    )
    # volumes for L4-L5 and L5-S1 are still in the data but not ticked: refused
    assert response.status_code == 200
    data = procedure_data(clinician, levels=["L3-L4"], **{"volume_ml__L3-L4": "1"})
    data.pop("volume_ml__L4-L5")
    data.pop("volume_ml__L5-S1")
    assert staff_client.post(treatment_url(patient, "procedures/new/"), data).status_code == 302
    patient.refresh_from_db()
    assert patient.stage == Stage.TREATED
    assert patient.procedure_date == date(2026, 3, 1)
    moved = ChangeRecord.objects.get(patient=patient, record_type="Patient")
    assert moved.changes == {"stage": ["follow-up", "treated"]}


def test_it_writes_no_patient_history_when_stage_and_date_are_already_set(
    staff_client, patient, clinician
):
    patient.stage, patient.procedure_date = Stage.TREATED, date(2026, 3, 1)
    patient.save()
    response = staff_client.post(
        treatment_url(patient, "procedures/new/"), procedure_data(clinician)
    )
    assert response.status_code == 302
    assert not ChangeRecord.objects.filter(patient=patient, record_type="Patient").exists()


FUTURE = (datetime.now(UTC).date() + timedelta(days=2)).isoformat()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"performed_on": FUTURE}, "The date of procedure cannot be in the future."),
        ({"performed_on": "2026-02-31"}, "Date of procedure: enter a real date"),
        ({"performed_on": ""}, "Date of procedure: enter the date."),
        (
            {"levels": None, "volume_ml__L4-L5": "", "volume_ml__L5-S1": ""},
            "Levels treated: tick at least one disc level.",
        ),
        ({"levels": ["L4-L5", "S1-S2"]}, "Levels treated: S1-S2 is not a lumbar disc level."),
        ({"volume_ml__L4-L5": "0"}, "L4-L5 volume: must be more than 0 mL."),
        ({"volume_ml__L4-L5": "-1"}, "L4-L5 volume: must be more than 0 mL."),
        ({"volume_ml__L4-L5": "0.001"}, "L4-L5 volume: must be more than 0 mL."),
        ({"volume_ml__L5-S1": "5.5"}, "L5-S1 volume: at most 5 mL per level."),
        ({"volume_ml__L5-S1": "lots"}, "L5-S1 volume: enter a number of mL, e.g. 1.5."),
        ({"volume_ml__L5-S1": ""}, "L5-S1 volume: enter the mL injected at this level."),
        (
            {"volume_ml__L3-L4": "1"},
            "L3-L4 volume: this level is not ticked as treated. "
            "Tick the level or clear the volume.",
        ),
        ({"product": ""}, "Product name: enter the fibrin product used."),
        ({"lot_number": "  "}, "Lot number: enter the lot from the product label."),
        ({"sedation": ""}, "Sedation: choose the level of sedation."),
        ({"guidance": "ultrasound"}, "Guidance: choose fluoroscopy or CT."),
        ({"operator": ""}, "Operator: choose the clinician who performed it."),
    ],
)
def test_it_refuses_a_bad_procedure_and_names_the_field(
    staff_client, patient, clinician, changes, message
):
    response = staff_client.post(
        treatment_url(patient, "procedures/new/"), procedure_data(clinician, **changes)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not FibrinProcedure.objects.exists()
    patient.refresh_from_db()
    assert patient.stage == Stage.DECISION


def test_a_volume_of_exactly_5_ml_is_allowed(staff_client, patient, clinician):
    response = staff_client.post(
        treatment_url(patient, "procedures/new/"),
        procedure_data(clinician, **{"volume_ml__L4-L5": "5", "volume_ml__L5-S1": "0.1"}),
    )
    assert response.status_code == 302
    assert FibrinProcedure.objects.get().volume_ml_per_level == {"L4-L5": 5.0, "L5-S1": 0.1}


def test_it_offers_only_the_clinics_clinicians_as_operator(
    staff_client, clinic, patient, clinician, outsider
):
    coordinator = make_staff(clinic, Role.COORDINATOR)
    page = staff_client.get(treatment_url(patient, "procedures/new/")).content.decode()
    assert clinician.email in page
    assert outsider.email not in page
    assert coordinator.email not in page
    assert f'value="{clinician.pk}" selected' in page  # the clinician recording it, by default
    for other in (outsider, coordinator):
        response = staff_client.post(
            treatment_url(patient, "procedures/new/"), procedure_data(clinician, operator=other.pk)
        )
        assert "Operator: choose one of this clinic&#x27;s clinicians." in response.content.decode()
    assert not FibrinProcedure.objects.exists()


def test_sending_the_same_procedure_twice_records_it_once(staff_client, patient, clinician):
    url, data = treatment_url(patient, "procedures/new/"), procedure_data(clinician)
    assert staff_client.post(url, data).status_code == 302
    again = staff_client.post(url, data)
    assert again.status_code == 200
    assert (
        "a procedure at L4-L5, L5-S1 on 10 Jun 2026 is already recorded" in again.content.decode()
    )
    assert FibrinProcedure.objects.count() == 1
    # other levels the same day are another procedure
    other = procedure_data(clinician, levels=["L4-L5"])
    other.pop("volume_ml__L5-S1")
    assert staff_client.post(url, other).status_code == 302
    assert FibrinProcedure.objects.count() == 2


def test_it_names_the_duplicate_when_two_copies_race_past_the_form_check(
    staff_client, patient, clinician, monkeypatch
):
    real = FibrinProcedureForm._already_recorded
    calls = {"n": 0}

    def blind_twice(self, day, levels):
        calls["n"] += 1  # the first two checks miss, as two requests at the same moment would
        return False if calls["n"] <= 2 else real(self, day, levels)

    monkeypatch.setattr(FibrinProcedureForm, "_already_recorded", blind_twice)
    url, data = treatment_url(patient, "procedures/new/"), procedure_data(clinician)
    assert staff_client.post(url, data).status_code == 302
    again = staff_client.post(url, data)
    assert again.status_code == 200
    assert b"is already recorded for this patient" in again.content
    assert FibrinProcedure.objects.count() == 1


# adverse events


def test_it_records_an_adverse_event_linked_to_a_procedure(staff_client, patient, clinician):
    procedure = make_procedure(patient, clinician)
    url = treatment_url(patient, "adverse-events/new/")
    form = staff_client.get(f"{url}?procedure={procedure.pk}").content.decode()
    assert f'<option value="{procedure.pk}" selected>' in form
    response = staff_client.post(
        url,
        {
            "procedure": procedure.pk,
            "onset_on": "2026-06-24",
            "description": "Fever and worse back pain; MRI shows disc infection.",
            "related": "true",
            "serious": "true",
            "discitis": "on",
        },
    )
    assert response.status_code == 302
    event = AdverseEvent.objects.get(patient=patient)
    assert (event.related, event.serious, event.discitis) == (True, True, True)
    assert event.procedure == procedure
    change = ChangeRecord.objects.get(patient=patient, record_type="AdverseEvent")
    assert change.changes["discitis"] == [None, True]
    assert AuditEvent.objects.filter(action="adverse_event.record", patient_id=patient.pk).exists()
    page = staff_client.get(treatment_url(patient)).content.decode()
    assert "1 recorded · 1 serious · 1 with discitis" in page
    assert "After the procedure of 10 Jun 2026 (L4-L5)" in page


def test_it_records_an_unrelated_event_with_no_procedure(staff_client, patient):
    response = staff_client.post(
        treatment_url(patient, "adverse-events/new/"),
        {
            "onset_on": "2026-07-01",
            "description": "Sprained ankle.",
            "related": "false",
            "serious": "false",
        },
    )
    assert response.status_code == 302
    event = AdverseEvent.objects.get()
    assert (event.related, event.serious, event.discitis, event.procedure) == (
        False,
        False,
        False,
        None,
    )


def test_it_refuses_a_bad_adverse_event_and_names_the_field(staff_client, patient, clinician):
    procedure = make_procedure(patient, clinician, day=date(2026, 6, 10))
    url = treatment_url(patient, "adverse-events/new/")
    before = staff_client.post(
        url,
        {
            "procedure": procedure.pk,
            "onset_on": "2026-06-09",
            "description": "",
            "related": "maybe",
        },
    ).content.decode()
    assert "Date of onset: cannot be before the linked procedure (10 Jun 2026)." in before
    assert "Description: say what happened." in before
    assert "Related: answer yes or no." in before
    assert "Serious: answer yes or no." in before
    future = staff_client.post(
        url, {"onset_on": FUTURE, "description": "x", "related": "false", "serious": "false"}
    ).content.decode()
    assert "The date of onset cannot be in the future." in future
    unlinked = staff_client.post(
        url, {"onset_on": "2026-07-01", "description": "x", "related": "true", "serious": "false"}
    ).content.decode()
    assert "Linked procedure: choose the procedure this event is related to." in unlinked
    assert not AdverseEvent.objects.exists()


def test_it_will_not_link_an_event_to_another_patients_procedure(
    staff_client, clinic, patient, clinician
):
    other = Patient.objects.create(clinic=clinic, first_name="Sam", last_name="Other")
    theirs = make_procedure(other, clinician)
    url = treatment_url(patient, "adverse-events/new/")
    response = staff_client.post(
        url,
        {
            "procedure": theirs.pk,
            "onset_on": "2026-07-01",
            "description": "x",
            "related": "true",
            "serious": "false",
        },
    )
    assert "Linked procedure: choose one of this patient&#x27;s." in response.content.decode()
    assert not AdverseEvent.objects.exists()
    # and the prefill link refuses it, with an audit event
    assert staff_client.get(f"{url}?procedure={theirs.pk}").status_code == 404
    denied = AuditEvent.objects.get(action="access.denied")
    assert denied.details["kind"] == "fibrin_procedure"


def test_sending_the_same_adverse_event_twice_does_not_fail(staff_client, patient):
    data = {"onset_on": "2026-07-01", "description": "x", "related": "false", "serious": "false"}
    url = treatment_url(patient, "adverse-events/new/")
    assert staff_client.post(url, data).status_code == 302
    assert staff_client.post(url, data).status_code == 302  # two events the same day can happen
    assert AdverseEvent.objects.count() == 2


# referrals elsewhere


def test_it_records_a_referral_elsewhere_once(staff_client, patient):
    url = treatment_url(patient, "referrals/new/")
    data = {
        "alternative": "facet_directed_care",
        "referred_on": "2026-05-05",
        "notes": "MBB positive",
    }
    assert staff_client.post(url, data).status_code == 302
    referral = AlternativeReferral.objects.get(patient=patient)
    assert referral.alternative == "facet_directed_care"
    assert ChangeRecord.objects.filter(record_type="AlternativeReferral", action="create").exists()
    assert AuditEvent.objects.filter(action="alternative_referral.record").exists()
    again = staff_client.post(url, data)
    assert again.status_code == 200
    assert b"Date of referral: this referral on 5 May 2026 is already recorded." in again.content
    assert AlternativeReferral.objects.count() == 1
    page = staff_client.get(treatment_url(patient)).content.decode()
    assert "Facet-directed care" in page
    assert "5 May 2026" in page


def test_it_refuses_a_bad_referral_and_names_the_field(staff_client, patient):
    response = staff_client.post(
        treatment_url(patient, "referrals/new/"), {"alternative": "", "referred_on": FUTURE}
    ).content.decode()
    assert "Referred for: choose the treatment." in response
    assert "The date of referral cannot be in the future." in response
    wrong = staff_client.post(
        treatment_url(patient, "referrals/new/"),
        {"alternative": "acupuncture", "referred_on": "2026-05-05"},
    ).content.decode()
    assert "Referred for: choose one of the listed treatments." in wrong
    assert not AlternativeReferral.objects.exists()


# access


@pytest.mark.parametrize("tail", ["", "procedures/new/", "adverse-events/new/", "referrals/new/"])
def test_another_clinics_patient_is_a_404_and_an_audit_event(client, patient, outsider, tail):
    sign_in(client, outsider)
    assert client.get(treatment_url(patient, tail)).status_code == 404
    if tail:
        assert client.post(treatment_url(patient, tail), {}).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", patient_id=patient.pk).exists()
    assert not AuditEvent.objects.filter(action="patient.read", patient_id=patient.pk).exists()
    assert not FibrinProcedure.objects.exists()


def test_an_admin_can_neither_read_the_treatment_page_nor_record(
    client, clinic, patient, clinician
):
    admin = make_staff(clinic, Role.ADMIN)
    sign_in(client, admin)
    assert client.get(treatment_url(patient)).status_code == 403  # accounts/permissions.yaml
    response = client.post(treatment_url(patient, "procedures/new/"), procedure_data(clinician))
    assert response.status_code == 403
    assert not FibrinProcedure.objects.exists()


def test_the_treatment_page_uses_a_constant_number_of_queries(staff_client, patient, clinician):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get(treatment_url(patient)).status_code == 200
        return len(ctx.captured_queries)

    first = make_procedure(patient, clinician)
    AdverseEvent.objects.create(
        patient=patient,
        procedure=first,
        onset_on=date(2026, 7, 1),
        description="x",
        related=True,
        serious=False,
    )
    AlternativeReferral.objects.create(
        patient=patient, alternative="fusion", referred_on=date(2026, 5, 1)
    )
    with_one = count_queries()
    for n in range(1, 8):
        other = make_staff(patient.clinic, Role.CLINICIAN)
        proc = make_procedure(patient, other, day=date(2026, 6, 10) + timedelta(days=n))
        AdverseEvent.objects.create(
            patient=patient,
            procedure=proc,
            onset_on=date(2026, 8, n),
            description="x",
            related=False,
            serious=False,
        )
        AlternativeReferral.objects.create(
            patient=patient, alternative="conservative_care", referred_on=date(2026, 5, n)
        )
    assert count_queries() == with_one
    assert with_one <= 17  # sign-in, roles, patient, audit (+ a lock on PostgreSQL), 3 lists
