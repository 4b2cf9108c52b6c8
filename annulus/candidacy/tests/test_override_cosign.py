"""Overriding an urgent referral: only for a wrong or outdated flag, and only when co-signed."""

from __future__ import annotations

import pytest

from annulus.accounts.models import Role
from annulus.candidacy import actions
from annulus.candidacy.engine import load_protocol
from annulus.candidacy.models import Review
from annulus.candidacy.tests.record_helpers import candidate_record
from annulus.testing import audit_actions, make_staff, sign_in

pytestmark = pytest.mark.django_db


def urgent(clinic, clinician):
    patient = candidate_record(clinic, saddle_anesthesia=True)
    evaluation = actions.record_evaluation(
        patient, protocol=load_protocol("annulus-default"), user=clinician
    )
    assert evaluation.outcome == "urgent_referral"
    return evaluation


def _url(evaluation, what=""):
    return f"/staff/patients/{evaluation.patient_id}/evaluations/{evaluation.pk}/{what}"


def test_an_urgent_override_without_a_second_signature_does_not_take_effect(
    client, clinic, clinician
):
    evaluation = urgent(clinic, clinician)
    actions.override_evaluation(
        evaluation, user=clinician, reason="data_error", outcome="candidate", note="Typo"
    )
    evaluation.refresh_from_db()
    assert evaluation.review == Review.TO_COSIGN  # recorded, not in effect
    page = sign_in(client, clinician).get(_url(evaluation)).content.decode()
    headline = page[page.index('id="outcome"') : page.index("</div>", page.index('id="outcome"'))]
    assert "Urgent referral" in headline and "not in effect" in headline
    # The clinician who made it cannot co-sign it.
    with pytest.raises(actions.CosignRefused):
        actions.cosign_override(evaluation, user=clinician)
    client.post(_url(evaluation, "cosign/"))
    evaluation.refresh_from_db()
    assert evaluation.review == Review.TO_COSIGN and evaluation.cosigned_by is None


def test_a_second_clinician_co_signs_and_the_headline_shows_the_final_decision(
    client, clinic, clinician
):
    evaluation = urgent(clinic, clinician)
    actions.override_evaluation(
        evaluation,
        user=clinician,
        reason="new_information",
        outcome="candidate",
        criteria=[c["id"] for c in evaluation.decision["criteria"] if c["status"] == "fail"],
        note="Examined today: sensation normal",
    )
    colleague = make_staff(clinic, Role.CLINICIAN)
    sign_in(client, colleague)
    assert client.post(_url(evaluation, "cosign/")).status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.review == Review.OVERRIDDEN and evaluation.cosigned_by == colleague
    assert "candidacy.override_cosigned" in audit_actions(patient_id=evaluation.patient_id)
    page = client.get(_url(evaluation)).content.decode()
    headline = page[page.index('id="outcome"') : page.index("</div>", page.index('id="outcome"'))]
    assert "Candidate" in headline and "the protocol said" in headline
    assert "Urgent referral" in headline
    # A second co-signature changes nothing.
    with pytest.raises(actions.AlreadyReviewed):
        actions.cosign_override(evaluation, user=make_staff(clinic, Role.DIRECTOR))


@pytest.mark.parametrize("reason", ["patient_preference", "clinical_judgement", "other"])
def test_an_urgent_referral_cannot_be_overridden_for_preference_or_judgement(
    client, clinic, clinician, reason
):
    evaluation = urgent(clinic, clinician)
    with pytest.raises(ValueError, match="reason: an urgent referral"):
        actions.override_evaluation(
            evaluation, user=clinician, reason=reason, outcome="candidate", note="x"
        )
    sign_in(client, clinician)
    page = client.post(
        _url(evaluation, "override/"), {"reason": reason, "outcome": "candidate", "note": "x"}
    ).content.decode()
    assert "an urgent referral can be overridden only for a data entry error" in page
    evaluation.refresh_from_db()
    assert evaluation.review == Review.PENDING


def test_disputed_criteria_are_named_and_disputing_only_a_passed_one_asks_to_confirm(
    client, clinic, clinician
):
    patient = candidate_record(clinic, back_pain_nrs=2)  # fails the pain criterion
    evaluation = actions.record_evaluation(
        patient, protocol=load_protocol("annulus-default"), user=clinician
    )
    statuses = {c["id"]: c["status"] for c in evaluation.decision["criteria"]}
    failing = [cid for cid, st in statuses.items() if st == "fail"]
    passed = [cid for cid, st in statuses.items() if st == "pass" and cid not in failing]
    assert failing and passed
    sign_in(client, clinician)
    form = {"reason": "clinical_judgement", "outcome": "candidate", "criteria": [passed[0]]}
    page = client.post(_url(evaluation, "override/"), form).content.decode()
    assert "Confirm: every criterion you ticked passed" in page
    evaluation.refresh_from_db()
    assert evaluation.review == Review.PENDING
    client.post(_url(evaluation, "override/"), {**form, "confirm_passed": "on"})
    evaluation.refresh_from_db()
    assert evaluation.review == Review.OVERRIDDEN
    page = client.get(_url(evaluation)).content.decode()
    disputed = page[page.index("Criteria disputed") :][:400]
    assert passed[0] not in disputed  # by name, not code
