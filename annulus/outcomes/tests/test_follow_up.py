from __future__ import annotations

from datetime import timedelta

import pytest

from annulus.audit.context import AuditContext
from annulus.clinical.actions import record_procedure
from annulus.clinical.models import AlternativeReferral, FibrinProcedure
from annulus.consents.testing import signed_consent
from annulus.outcomes import actions
from annulus.outcomes.models import FollowUp, Invitation, InvitationStatus, SurveyLink
from annulus.outcomes.schedule import STANDARD_PLAN, FollowUpPlan, PlanPoint
from annulus.outcomes.tests.conftest import at, make_patient, today_in
from annulus.patients.actions import update_patient
from annulus.testing import audit_actions

CTX = AuditContext.system("test")

pytestmark = pytest.mark.django_db


def statuses(follow_up: FollowUp) -> dict[str, str]:
    return dict(follow_up.invitations.order_by("position").values_list("code", "status"))


def dates(follow_up: FollowUp, code: str) -> tuple:
    inv = follow_up.invitations.get(code=code)
    return inv.opens, inv.due, inv.closes


def complete_baseline(follow_up: FollowUp) -> None:
    invitation = follow_up.invitations.get(code="baseline")
    link, _ = actions.reissue(invitation)
    response = actions.open_response(link)
    page = actions.survey_pages(invitation)[0]  # back pain, answered; the rest left blank
    actions.save_section(response, page, {"back-pain": 7})
    actions.submit(response)


def test_it_enrols_a_patient_on_the_standard_plan_from_the_treatment_date(patient, clinician):
    follow_up = actions.enrol(patient, user=clinician)
    treated = patient.procedure_date
    assert (follow_up.arm, follow_up.anchor, follow_up.treatment_date) == (
        "fibrin",
        "planned",
        treated,
    )
    assert list(statuses(follow_up)) == [p.code for p in STANDARD_PLAN.points]
    assert set(statuses(follow_up).values()) == {"scheduled"}
    assert dates(follow_up, "baseline") == (
        treated - timedelta(30),
        treated - timedelta(7),
        treated,
    )
    assert dates(follow_up, "month-6")[1] == treated + timedelta(182)
    baseline = follow_up.invitations.get(code="baseline")
    assert baseline.instruments == ["nrs-back", "nrs-leg", "odi", "rmdq"]
    assert "pgic" in follow_up.invitations.get(code="week-2").instruments
    assert "outcomes.enrol" in audit_actions(patient_id=patient.pk)


def test_it_refuses_to_enrol_without_a_treatment_date_or_twice(clinic, patient):
    with pytest.raises(actions.OutcomesError, match="Record the treatment first"):
        actions.enrol(make_patient(clinic, treated_in_days=None, email="no@example.test"))
    actions.enrol(patient)
    with pytest.raises(actions.OutcomesError, match="already enrolled"):
        actions.enrol(patient)
    assert FollowUp.objects.count() == 1


def test_windows_that_closed_before_enrolment_are_not_asked(clinic):
    late = make_patient(clinic, treated_in_days=-120)
    follow_up = actions.enrol(late)
    got = statuses(follow_up)
    assert [got[c] for c in ("baseline", "week-2", "week-6", "month-3")] == ["cancelled"] * 4
    assert got["month-6"] == "scheduled"  # days 152-212: still to come
    assert follow_up.invitations.get(code="baseline").cancelled_reason == actions.ENROLLED_LATE


def test_a_patient_referred_to_another_treatment_is_followed_on_the_same_plan(clinic):
    patient = make_patient(clinic, treated_in_days=None)
    referred = today_in(clinic) + timedelta(5)
    AlternativeReferral.objects.create(patient=patient, alternative="fusion", referred_on=referred)
    follow_up = actions.enrol(patient)
    assert (follow_up.arm, follow_up.anchor, follow_up.treatment_date) == (
        "fusion",
        "referral",
        referred,
    )
    assert follow_up.arm_label == "Fusion"
    assert list(statuses(follow_up)) == [p.code for p in STANDARD_PLAN.points]


def test_moving_the_treatment_date_replans_pending_invitations_and_keeps_completed_ones(patient):
    follow_up = actions.enrol(patient)
    complete_baseline(follow_up)
    baseline_before = dates(follow_up, "baseline")
    assert statuses(follow_up)["baseline"] == "partial"  # only one question answered

    # The procedure is postponed by a month on the patient's record (any page, any command).
    update_patient(
        patient, actor=None, ctx=CTX, procedure_date=patient.procedure_date + timedelta(days=30)
    )

    follow_up.refresh_from_db()
    new_date = patient.procedure_date
    assert follow_up.treatment_date == new_date
    assert dates(follow_up, "baseline") == baseline_before  # answered: kept as it was
    assert dates(follow_up, "week-2") == (
        new_date + timedelta(7),
        new_date + timedelta(14),
        new_date + timedelta(21),
    )
    assert dates(follow_up, "month-60")[1] == new_date + timedelta(1826)
    baseline = follow_up.invitations.get(code="baseline")
    # Answered today, more than 30 days before the new date: kept, flagged for review.
    assert baseline.outside_window
    assert follow_up.invitations.get(code="week-2").revision == 2
    assert "outcomes.replan" in audit_actions(patient_id=patient.pk)


def test_recording_the_procedure_on_another_day_moves_the_plan(patient, clinician):
    follow_up = actions.enrol(patient)
    performed = patient.procedure_date + timedelta(days=3)
    procedure = FibrinProcedure(
        patient=patient,
        performed_on=performed,
        levels=["L4-L5"],
        product="Fibrin (test)",
        lot_number="T-1",
        operator=clinician,
        sedation="local",
    )
    signed_consent(patient, "fibrin-procedure")  # no procedure is recorded without one
    record_procedure(procedure, actor=clinician, ctx=CTX)
    follow_up.refresh_from_db()
    assert (follow_up.anchor, follow_up.treatment_date) == ("procedure", performed)
    assert dates(follow_up, "baseline")[2] == performed
    assert dates(follow_up, "week-6")[1] == performed + timedelta(42)


def test_a_sent_invitation_whose_window_moves_into_the_future_is_sent_again_later(patient):
    follow_up = actions.enrol(patient)
    baseline = follow_up.invitations.get(code="baseline")
    link, _ = actions.reissue(baseline)
    assert Invitation.objects.get(pk=baseline.pk).status == "sent"

    update_patient(
        patient, actor=None, ctx=CTX, procedure_date=patient.procedure_date + timedelta(days=60)
    )  # the baseline window now opens in a month

    baseline.refresh_from_db()
    assert baseline.status == "scheduled"
    assert baseline.sent_at is None
    assert SurveyLink.objects.get(pk=link.pk).revoked_at is not None


def test_a_missed_time_point_reopens_when_its_window_moves_back_into_reach(clinic):
    patient = make_patient(clinic, treated_in_days=-25)
    follow_up = actions.enrol(patient, now=at(clinic, today_in(clinic) - timedelta(days=60)))
    week_2 = follow_up.invitations.get(code="week-2")  # days 7-21 after treatment: closed now
    Invitation.objects.filter(pk=week_2.pk).update(status=InvitationStatus.MISSED)

    update_patient(
        patient, actor=None, ctx=CTX, procedure_date=today_in(clinic) - timedelta(days=10)
    )

    week_2.refresh_from_db()
    assert week_2.status == "scheduled"
    assert week_2.opens <= today_in(clinic) <= week_2.closes


def test_a_waiting_time_point_whose_new_window_has_passed_is_missed(clinic):
    patient = make_patient(clinic, treated_in_days=5)
    follow_up = actions.enrol(patient)
    update_patient(
        patient, actor=None, ctx=CTX, procedure_date=today_in(clinic) - timedelta(days=50)
    )
    assert statuses(follow_up)["week-2"] == "missed"
    assert statuses(follow_up)["week-6"] == "scheduled"  # days 28-56: open now


def test_a_changed_plan_adds_and_withdraws_time_points_and_keeps_answers(patient):
    follow_up = actions.enrol(patient)
    complete_baseline(follow_up)
    points = [p for p in STANDARD_PLAN.points if p.code != "week-2"]
    points.insert(3, PlanPoint(code="month-9", label="9 months", opens=243, due=273, closes=303))
    points.sort(key=lambda p: p.due)
    plan = FollowUpPlan(id="standard", version=2, points=tuple(points))

    result = actions.replan(follow_up, plan=plan)

    assert result.withdrawn == ("week-2",)
    assert [p.code for p in result.added] == ["month-9"]
    follow_up.refresh_from_db()
    assert follow_up.plan_version == 2
    got = statuses(follow_up)
    assert got["week-2"] == "cancelled"
    assert got["month-9"] == "scheduled"
    assert got["baseline"] == "partial"
    order = list(follow_up.invitations.order_by("position").values_list("code", flat=True))
    assert order.index("month-9") == order.index("month-6") + 1


def test_stopping_follow_up_cancels_waiting_time_points_and_keeps_answers(patient, clinician):
    follow_up = actions.enrol(patient)
    complete_baseline(follow_up)
    actions.stop(follow_up, reason="patient-withdrew", user=clinician)
    got = statuses(follow_up)
    assert got["baseline"] == "partial"
    assert {got[c] for c in got if c != "baseline"} == {"cancelled"}
    follow_up.refresh_from_db()
    assert follow_up.status == "stopped"
    with pytest.raises(actions.OutcomesError, match="already stopped"):
        actions.stop(follow_up, reason="other")
    with pytest.raises(actions.OutcomesError, match="reason"):
        actions.stop(follow_up, reason="bored")
