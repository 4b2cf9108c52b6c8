"""Candidacy in the record, through the staff pages: run, read, accept or override."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from annulus.accounts.models import Role
from annulus.audit.models import AuditEvent
from annulus.candidacy.actions import clinic_today
from annulus.candidacy.case_builder import build_case
from annulus.candidacy.engine import evaluate, load_protocol, parse_case
from annulus.candidacy.models import Evaluation, Review, Source
from annulus.candidacy.tests.record_helpers import candidate_record, make_patient
from annulus.patients.models import ChangeRecord, Stage
from annulus.testing import audit_actions, make_staff, sign_in

pytestmark = pytest.mark.django_db


def page_url(patient):
    return f"/staff/patients/{patient.pk}/candidacy/"


def evaluation_url(evaluation, suffix=""):
    return f"/staff/patients/{evaluation.patient_id}/evaluations/{evaluation.pk}/{suffix}"


def run(client, patient, protocol="annulus-default@1"):
    return client.post(page_url(patient), {"protocol": protocol})


def test_it_offers_every_released_protocol_with_the_default_chosen(staff_client, clinic):
    patient = candidate_record(clinic)

    page = staff_client.get(page_url(patient)).content.decode()

    assert '<option value="annulus-default@2" selected>' in page  # the newest release
    assert 'value="annulus-default@1"' in page
    assert 'value="nct01011816-phase3@1"' in page
    assert "No evaluation yet." in page


def test_one_click_builds_the_case_runs_the_protocol_and_stores_everything(
    staff_client, clinic, clinician
):
    patient = candidate_record(clinic)

    response = run(staff_client, patient)

    evaluation = Evaluation.objects.get(patient=patient)
    assert response.status_code == 302
    assert response["Location"] == evaluation_url(evaluation)
    protocol = load_protocol("annulus-default", 1)
    case = build_case(patient, clinic_today(patient))
    assert (evaluation.protocol_id, evaluation.protocol_version) == ("annulus-default", 1)
    assert evaluation.protocol_sha256 == protocol.sha256
    assert evaluation.case_snapshot == json.loads(json.dumps(case))
    assert evaluation.decision == evaluate(parse_case(case), protocol).to_dict()
    assert evaluation.outcome == "candidate"
    assert evaluation.evaluated_by == clinician
    assert evaluation.assessed_on == clinic_today(patient)
    assert evaluation.review == Review.PENDING
    assert evaluation.source == Source.RECORD
    assert "D-DISCOGRAPHY" in evaluation.judged_criteria
    event = AuditEvent.objects.get(action="candidacy.evaluate")
    assert event.patient_id == patient.pk
    assert event.details == {
        "evaluation": evaluation.pk,
        "protocol": "annulus-default",
        "version": 1,
        "outcome": "candidate",
        "source": "record",
    }


def test_the_decision_page_shows_outcome_levels_routes_and_every_criterion_grouped(
    staff_client, clinic
):
    patient = candidate_record(clinic, opioid_mme_per_day=90)
    run(staff_client, patient)
    evaluation = Evaluation.objects.get(patient=patient)

    page = staff_client.get(evaluation_url(evaluation)).content.decode()

    assert "Candidate" in page
    assert "<strong>L4-L5</strong>" in page
    assert "Intra-annular fibrin injection" in page
    for group in ("Red-flag screen", "The patient", "Discography", "Level L4-L5"):
        assert group in page
    for criterion in evaluation.decision["criteria"]:
        assert criterion["explanation"].replace("'", "&#x27;") in page
    assert "Warnings" in page and "90 MME/day" in page
    assert "Download the consult note (PDF)" in page


def test_missing_items_are_a_to_do_list_linking_to_where_they_are_filled(staff_client, clinic):
    patient = candidate_record(clinic, discography=False, odi=None)
    run(staff_client, patient)
    evaluation = Evaluation.objects.get(patient=patient)
    assert evaluation.outcome == "needs_more_information"

    page = staff_client.get(evaluation_url(evaluation)).content.decode()

    assert "To do before a decision" in page
    assert f'href="/staff/patients/{patient.pk}/discography/"' in page
    assert f'href="/staff/patients/{patient.pk}/intake/#id_odi"' in page
    for item in evaluation.decision["missing"]:
        assert item in page


def test_it_says_why_when_the_case_cannot_be_built(staff_client, clinic):
    patient = candidate_record(clinic, born=None)

    response = run(staff_client, patient)

    assert response.status_code == 200
    page = response.content.decode()
    assert "The case cannot be built yet." in page
    assert "date of birth" in page
    assert f'href="/staff/patients/{patient.pk}/edit/"' in page
    assert not Evaluation.objects.exists()
    assert "candidacy.evaluate" not in audit_actions()


def test_an_unknown_protocol_is_refused_naming_the_field(staff_client, clinic):
    patient = candidate_record(clinic)

    response = run(staff_client, patient, protocol="made-up@9")

    assert response.status_code == 200
    assert "Protocol: made-up@9 is not a released protocol." in response.content.decode()
    assert not Evaluation.objects.exists()


def test_a_clinician_accepts_and_the_patient_moves_to_the_decision_stage(
    staff_client, clinic, clinician
):
    patient = candidate_record(clinic, stage=Stage.WORK_UP)
    run(staff_client, patient)
    evaluation = Evaluation.objects.get(patient=patient)

    response = staff_client.post(evaluation_url(evaluation, "accept/"))

    assert response.status_code == 302
    evaluation.refresh_from_db()
    patient.refresh_from_db()
    assert evaluation.review == Review.ACCEPTED
    assert evaluation.reviewed_by == clinician
    assert evaluation.reviewed_at is not None
    assert patient.stage == Stage.DECISION
    change = ChangeRecord.objects.get(patient=patient, record_type="Patient")
    assert change.changes == {"stage": ["work-up", "decision"]}
    event = AuditEvent.objects.get(action="candidacy.accepted")
    assert event.details == {
        "evaluation": evaluation.pk,
        "outcome": "candidate",
        "stage": ["work-up", "decision"],
    }
    page = staff_client.get(evaluation_url(evaluation)).content.decode()
    assert "Accepted" in page and "Decision accepted." in page


def test_a_treated_patient_stays_treated_when_a_decision_is_reviewed(staff_client, clinic):
    patient = candidate_record(clinic, stage=Stage.TREATED)
    run(staff_client, patient)
    evaluation = Evaluation.objects.get(patient=patient)

    staff_client.post(evaluation_url(evaluation, "accept/"))

    patient.refresh_from_db()
    assert patient.stage == Stage.TREATED


def test_a_second_accept_or_override_is_refused_politely(staff_client, clinic):
    patient = candidate_record(clinic)
    run(staff_client, patient)
    evaluation = Evaluation.objects.get(patient=patient)
    staff_client.post(evaluation_url(evaluation, "accept/"))

    again = staff_client.post(evaluation_url(evaluation, "accept/"), follow=True)
    override = staff_client.post(
        evaluation_url(evaluation, "override/"),
        {"reason": "clinical_judgement", "outcome": "not_candidate"},
        follow=True,
    )

    for response in (again, override):
        assert response.status_code == 200
        assert "This decision was already accepted by" in response.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.review == Review.ACCEPTED
    assert evaluation.override_reason == ""
    assert audit_actions(action__startswith="candidacy.").count("candidacy.accepted") == 1


def override(client, evaluation, **data):
    fields = {"reason": "", "outcome": "", "note": "", "criteria": []}
    return client.post(evaluation_url(evaluation, "override/"), {**fields, **data})


@pytest.fixture
def evaluation(staff_client, clinic):
    patient = candidate_record(clinic)
    run(staff_client, patient)
    return Evaluation.objects.get(patient=patient)


def test_an_override_needs_a_reason_and_the_outcome_chosen_instead(staff_client, evaluation):
    response = override(staff_client, evaluation)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Reason for the override: choose one." in page
    assert "Your decision: choose the outcome you decide on instead." in page
    evaluation.refresh_from_db()
    assert evaluation.review == Review.PENDING


def test_the_reason_other_needs_an_explanation(staff_client, evaluation):
    response = override(staff_client, evaluation, reason="other", outcome="not_candidate")

    assert "Explanation: say why, since the reason is “Other”." in response.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.review == Review.PENDING


def test_an_unknown_reason_or_criterion_is_refused(staff_client, evaluation):
    response = override(
        staff_client,
        evaluation,
        reason="boredom",
        outcome="not_candidate",
        criteria=["X-NOT-A-CRITERION"],
    )

    page = response.content.decode()
    assert "Reason for the override: choose one from the list." in page
    assert "Criteria you disagree with: X-NOT-A-CRITERION was not judged" in page


def test_keeping_the_outcome_needs_the_criteria_disputed(staff_client, evaluation):
    response = override(staff_client, evaluation, reason="data_error", outcome="candidate")

    assert "tick the criteria you disagree with" in response.content.decode()


def test_a_clinician_overrides_with_a_coded_reason_text_and_criteria(
    staff_client, evaluation, clinician
):
    note = "Robin prefers three more months of physical therapy first."
    response = override(
        staff_client,
        evaluation,
        reason="patient_preference",
        outcome="not_candidate",
        note=note,
        criteria=["P-CONSERVATIVE", "D-CONTROL"],
    )

    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.review == Review.OVERRIDDEN
    assert evaluation.override_reason == "patient_preference"
    assert evaluation.override_outcome == "not_candidate"
    assert evaluation.override_note == note
    assert evaluation.overridden_criteria == ["D-CONTROL", "P-CONSERVATIVE"]
    assert evaluation.reviewed_by == clinician
    event = AuditEvent.objects.get(action="candidacy.overridden")
    assert event.details["reason"] == "patient_preference"
    assert event.details["criteria"] == ["D-CONTROL", "P-CONSERVATIVE"]
    assert "Robin" not in json.dumps(event.details)  # no names, no free text
    page = staff_client.get(evaluation_url(evaluation)).content.decode()
    assert "Overridden" in page and "Patient&#x27;s informed preference" in page


def test_a_coordinator_runs_the_protocol_but_cannot_review(clinic, evaluation):
    coordinator = sign_in(Client(), make_staff(clinic, Role.COORDINATOR))

    page = coordinator.get(evaluation_url(evaluation)).content.decode()
    accept = coordinator.post(evaluation_url(evaluation, "accept/"))
    ran = run(coordinator, evaluation.patient)

    assert "Awaiting a clinician's review." in page
    assert "Accept the decision" not in page
    assert accept.status_code == 403
    assert ran.status_code == 302
    assert Evaluation.objects.filter(patient=evaluation.patient).count() == 2


def test_another_clinics_patient_is_a_404_and_audited(outsider, evaluation):
    other = sign_in(Client(), outsider)

    for url in (
        page_url(evaluation.patient),
        evaluation_url(evaluation),
        evaluation_url(evaluation, "consult-note.pdf"),
    ):
        assert other.get(url).status_code == 404
    assert other.post(evaluation_url(evaluation, "accept/")).status_code == 404
    assert (
        other.post(page_url(evaluation.patient), {"protocol": "annulus-default@1"}).status_code
        == 404
    )

    denied = AuditEvent.objects.filter(action="access.denied", actor=outsider)
    assert denied.count() == 5
    assert set(denied.values_list("patient_id", flat=True)) == {evaluation.patient_id}
    evaluation.refresh_from_db()
    assert evaluation.review == Review.PENDING
    assert Evaluation.objects.count() == 1


def test_an_evaluation_seen_through_another_patient_is_a_404_and_audited(
    staff_client, clinic, evaluation
):
    other_patient = make_patient(clinic, first="Sam")

    response = staff_client.get(f"/staff/patients/{other_patient.pk}/evaluations/{evaluation.pk}/")

    assert response.status_code == 404
    event = AuditEvent.objects.get(action="access.denied")
    assert event.details["kind"] == "evaluation"
    assert event.patient_id == other_patient.pk


def test_the_candidacy_page_lists_previous_evaluations(staff_client, clinic):
    patient = candidate_record(clinic)
    run(staff_client, patient)
    run(staff_client, patient, protocol="nct01011816-phase3@1")

    page = staff_client.get(page_url(patient)).content.decode()

    assert "annulus-default v1" in page and "nct01011816-phase3 v1" in page
    assert "Needs more information" in page and "Candidate" in page
    for evaluation in Evaluation.objects.filter(patient=patient):
        assert evaluation_url(evaluation) in page


def test_reads_of_the_pages_are_audited(staff_client, evaluation):
    staff_client.get(evaluation_url(evaluation))

    assert AuditEvent.objects.filter(
        action="patient.read", patient_id=evaluation.patient_id
    ).exists()


def test_the_pages_need_the_same_few_queries_however_many_evaluations(staff_client, clinic):
    patient = candidate_record(clinic)
    run(staff_client, patient)

    def queries():
        latest = Evaluation.objects.filter(patient=patient).first()
        counts = []
        for url in (page_url(patient), evaluation_url(latest)):
            with CaptureQueriesContext(connection) as captured:
                assert staff_client.get(url).status_code == 200
            counts.append(len(captured))
        return counts

    one = queries()
    for _ in range(4):
        run(staff_client, patient)
    assert queries() == one
