"""The report's per-follow-up summary and the score rows' report columns stay equal to a fresh
rebuild from the source tables after every kind of write the actions make.

If an action that changes one of the facts the summary is computed from (the follow-up, the
patient, a procedure, a referral, an adverse event, a prior spine procedure, a score) forgets to
refresh it, the kept-current rows differ from the rebuilt ones and this fails.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from annulus.audit.context import AuditContext
from annulus.clinical.actions import record_adverse_event, record_procedure, refer_elsewhere
from annulus.clinical.models import (
    AdverseEvent,
    AlternativeReferral,
    FibrinProcedure,
    PriorSpineProcedure,
)
from annulus.consents.testing import signed_consent
from annulus.outcomes import actions, follow_up_summary
from annulus.outcomes.models import FollowUpSummary, TimePointScores
from annulus.outcomes.tests.conftest import make_patient, today_in
from annulus.outcomes.tests.test_survey import (
    REVIEW_PAGE,
    answer_everything,
    open_survey,
    post,
    ref_of,
)
from annulus.patients.actions import update_patient
from annulus.patients.history import delete_clinical, save_clinical

CTX = AuditContext.system("test")

pytestmark = pytest.mark.django_db


def _rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    summaries = [
        model_to_dict(row) | {"follow_up": row.follow_up_id}
        for row in FollowUpSummary.objects.order_by("follow_up_id")
    ]
    scores = [
        model_to_dict(row) | {"invitation": row.invitation_id, "follow_up": row.follow_up_id}
        for row in TimePointScores.objects.order_by("invitation_id")
    ]
    return summaries, scores


def _assert_same_as_a_rebuild() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    kept = _rows()
    follow_up_summary.refresh_all()
    assert _rows() == kept
    return kept


def _procedure(patient: Any, on: date, operator: Any) -> FibrinProcedure:
    return FibrinProcedure(
        patient=patient, performed_on=on, levels=["L4-L5"], product="Fibrin (test)",
        lot_number="T-1", operator=operator, sedation="local",
    )  # fmt: skip


def test_the_summary_follows_every_action_that_changes_what_it_is_computed_from(
    clinic: Any, clinician: Any
) -> None:
    patient = make_patient(clinic)
    follow_up = actions.enrol(patient, user=clinician)
    _assert_same_as_a_rebuild()

    # Baseline answered through the survey: the scoring action writes the score row.
    visitor, _ = open_survey(patient)
    ref = ref_of(visitor)
    answer_everything(visitor, ref, odi=[2, 2, 2, 2, 2, 2, 1, 1, 1, 1], back=6)
    visitor.post(f"/survey/?page={REVIEW_PAGE}", {"ref": ref, "send": "1"})
    summaries, scores = _assert_same_as_a_rebuild()
    assert (summaries[0]["b_odi"], summaries[0]["b_nrs"]) == (32.0, 6.0)
    assert scores[0]["arm"] == "fibrin" and scores[0]["d_odi"] == 0.0

    # The procedure on another day: the follow-up is re-planned and its entry day moves.
    performed = patient.procedure_date + timedelta(days=3)
    signed_consent(patient, "fibrin-procedure")
    record_procedure(_procedure(patient, performed, clinician), actor=clinician, ctx=CTX)
    summaries, scores = _assert_same_as_a_rebuild()
    assert summaries[0]["treatment_date"] == performed
    assert scores[0]["treatment_date"] == performed

    # A repeat procedure, a serious related event and a referral to fusion after entry.
    record_procedure(
        _procedure(patient, performed + timedelta(days=100), clinician), actor=clinician, ctx=CTX
    )
    event = AdverseEvent(
        patient=patient, onset_on=performed + timedelta(days=2), description="x",
        related=True, serious=True,
    )  # fmt: skip
    record_adverse_event(event, actor=clinician, ctx=CTX)
    referral = AlternativeReferral(
        patient=patient, alternative="fusion", referred_on=performed + timedelta(days=200)
    )
    refer_elsewhere(referral, actor=clinician, ctx=CTX)
    summaries, _ = _assert_same_as_a_rebuild()
    assert summaries[0]["repeat_on"] == performed + timedelta(days=100)
    assert summaries[0]["referral_on"] == performed + timedelta(days=200)
    assert (summaries[0]["serious_on"], summaries[0]["ae_related"]) == (event.onset_on, 1)

    # Demographics and the history of prior spine surgery.
    update_patient(
        patient, actor=clinician, ctx=CTX, sex="female", date_of_birth=date(1970, 5, 1),
        veteran=True,
    )  # fmt: skip
    prior = PriorSpineProcedure(patient=patient, level="L4-L5", type="discectomy", year=2015)
    save_clinical(prior, patient=patient, user=clinician, ctx=CTX)
    summaries, _ = _assert_same_as_a_rebuild()
    assert (summaries[0]["sex"], summaries[0]["veteran"], summaries[0]["prior_surgery"]) == (
        "female", True, 1,
    )  # fmt: skip
    assert summaries[0]["age"] is not None

    # Deleting the event and the prior surgery goes back.
    delete_clinical(event, patient=patient, user=clinician, ctx=CTX)
    delete_clinical(prior, patient=patient, user=clinician, ctx=CTX)
    summaries, _ = _assert_same_as_a_rebuild()
    assert (summaries[0]["serious_on"], summaries[0]["ae_any"], summaries[0]["prior_surgery"]) == (
        None, 0, 0,
    )  # fmt: skip

    # Stopped, with a second patient referred elsewhere whose window closes on saved answers.
    actions.stop(follow_up, reason="patient-withdrew", user=clinician)
    other = make_patient(clinic, treated_in_days=None, email="sam@example.test", first="Sam")
    refer_elsewhere(
        AlternativeReferral(patient=other, alternative="conservative_care",
                            referred_on=today_in(clinic) + timedelta(days=5)),
        actor=clinician, ctx=CTX,
    )  # fmt: skip
    actions.enrol(other, user=clinician)
    visitor, _ = open_survey(other)
    post(visitor, 1, {"back-pain": 4}, ref_of(visitor))
    baseline = other.follow_up.invitations.get(code="baseline")
    actions.close_window(baseline, timezone.now())
    summaries, scores = _assert_same_as_a_rebuild()
    assert [s["status"] for s in summaries] == ["stopped", "active"]
    assert summaries[1]["arm"] == "conservative_care" and summaries[1]["b_nrs"] == 4.0
    assert len(scores) == 2
