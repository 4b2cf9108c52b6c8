"""Enrolment: anchor on the treatment date, enrol, re-plan when the date or plan changes, stop.

Each action opens one transaction, writes its audit event and starts timers on commit (it sends
``invitations_planned``, which ``delivery.py`` receives: this package never imports it).
Re-planning bumps ``Invitation.revision`` so that timers set for the old dates do nothing when
they fire.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from annulus.audit.actions import OUTCOMES_ENROL, OUTCOMES_REPLAN, OUTCOMES_STOP
from annulus.audit.record import record
from annulus.clinical.models import AlternativeReferral, FibrinProcedure
from annulus.outcomes import follow_up_summary, library, time_point_scores
from annulus.outcomes.actions.answers import close_response
from annulus.outcomes.actions.clock import (
    OutcomesError,
    invitations_planned,
    local_day,
    window_end,
)
from annulus.outcomes.actions.links import revoke_links
from annulus.outcomes.models import (
    FIBRIN_ARM,
    PENDING_STATUSES,
    Anchor,
    FollowUp,
    FollowUpStatus,
    Invitation,
    InvitationStatus,
    Response,
    StopReason,
)
from annulus.outcomes.schedule import STANDARD_PLAN, FollowUpPlan, Replan, plan_time_points
from annulus.outcomes.schedule import Invitation as PlannedInvitation
from annulus.outcomes.schedule import replan as replan_core
from annulus.patients.models import Patient

PLANS: dict[str, FollowUpPlan] = {STANDARD_PLAN.id: STANDARD_PLAN}
ENROLLED_LATE = "window closed before enrolment"
STOPPED = "follow-up stopped"
LEFT_PLAN = "time point left the plan"


@dataclass(frozen=True)
class TreatmentAnchor:
    arm: str
    anchor: str
    treatment_date: date


def find_anchor(patient: Patient) -> TreatmentAnchor | None:
    """The date follow-up counts from: the first fibrin procedure, else the planned procedure
    date, else the first referral to another treatment (followed on the same plan)."""
    procedure = (
        FibrinProcedure.objects.filter(patient=patient).order_by("performed_on", "id").first()
    )
    if procedure is not None:
        return TreatmentAnchor(FIBRIN_ARM, Anchor.PROCEDURE, procedure.performed_on)
    if patient.procedure_date is not None:
        return TreatmentAnchor(FIBRIN_ARM, Anchor.PLANNED, patient.procedure_date)
    referral = (
        AlternativeReferral.objects.filter(patient=patient).order_by("referred_on", "id").first()
    )
    if referral is not None:
        return TreatmentAnchor(referral.alternative, Anchor.REFERRAL, referral.referred_on)
    return None


# ---- enrolment and re-planning ---------------------------------------------------------------


def _after_commit_advance(invitations: list[Invitation]) -> None:
    jobs = [(inv.pk, inv.revision) for inv in invitations if inv.status in PENDING_STATUSES]
    transaction.on_commit(lambda: invitations_planned.send(sender=Invitation, jobs=jobs))


def enrol(
    patient: Patient,
    *,
    now: datetime | None = None,
    user: Any = None,
    request: HttpRequest | None = None,
    plan_id: str = STANDARD_PLAN.id,
) -> FollowUp:
    """Enrol the patient on ``plan_id`` from their treatment date; one invitation per time point.

    Windows that closed before enrolment are created cancelled (not missed: nobody was asked, so
    they do not count against the completion rate). Timers start once the transaction commits.
    """
    now = now or timezone.now()
    anchor = find_anchor(patient)
    if anchor is None:
        raise OutcomesError(
            "Record the treatment first: a fibrin procedure, a planned procedure date or a "
            "referral to another treatment. Follow-up counts from that date."
        )
    plan = PLANS[plan_id]
    with transaction.atomic():
        already = OutcomesError("This patient is already enrolled in follow-up.")
        if FollowUp.objects.filter(patient=patient).exists():
            raise already
        try:
            with transaction.atomic():  # the one-per-patient constraint settles a race
                follow_up = FollowUp.objects.create(
                    patient=patient,
                    plan_id=plan.id,
                    plan_version=plan.version,
                    arm=anchor.arm,
                    anchor=anchor.anchor,
                    treatment_date=anchor.treatment_date,
                    created_by=user,
                )
        except IntegrityError:
            raise already from None
        clinic = patient.clinic
        invitations = []
        for position, point in enumerate(plan_time_points(plan, anchor.treatment_date)):
            expires = window_end(clinic, point.closes)
            late = expires <= now
            invitations.append(
                Invitation.objects.create(
                    follow_up=follow_up,
                    code=point.code,
                    label=point.label,
                    position=position,
                    opens=point.opens,
                    due=point.due,
                    closes=point.closes,
                    expires_at=expires,
                    instruments=library.battery(plan.id, point.code, arm=anchor.arm),
                    status=InvitationStatus.CANCELLED if late else InvitationStatus.SCHEDULED,
                    cancelled_reason=ENROLLED_LATE if late else "",
                )
            )
        record(
            OUTCOMES_ENROL,
            request=request,
            actor=user,
            clinic=clinic,
            patient_id=patient.pk,
            obj=follow_up,
            details={"plan": plan.id, "version": plan.version, "arm": anchor.arm},
        )
        follow_up_summary.refresh_follow_ups([follow_up.pk])
        _after_commit_advance(invitations)
    return follow_up


def replan(
    follow_up: FollowUp,
    *,
    plan: FollowUpPlan | None = None,
    anchor: TreatmentAnchor | None = None,
    now: datetime | None = None,
    user: Any = None,
    request: HttpRequest | None = None,
) -> Replan:
    """Recompute pending invitations for a new treatment date and/or plan; keep answered ones.

    Moved invitations take the new window. One already sent whose new window has not opened yet
    goes back to scheduled (its links stop working and it is sent again when the window opens);
    a missed one whose new window is open again is scheduled again; a waiting one whose new window
    has already closed is missed. Answered (partial, completed) and cancelled ones are kept, and
    flagged ``outside_window`` when their answer no longer falls in the new window.
    """
    now = now or timezone.now()
    with transaction.atomic():
        follow_up = (
            FollowUp.objects.select_for_update(of=("self",))
            .select_related("patient__clinic")
            .get(pk=follow_up.pk)
        )
        clinic = follow_up.patient.clinic
        plan = plan or PLANS[follow_up.plan_id]
        treatment_date = anchor.treatment_date if anchor else follow_up.treatment_date
        invitations = {
            inv.code: inv
            for inv in follow_up.invitations.select_for_update(of=("self",)).select_related(
                "response"
            )
        }
        result = replan_core(
            plan, [_as_planned(inv, clinic) for inv in invitations.values()], treatment_date
        )
        touched: list[Invitation] = []
        for move in result.moved:
            inv = invitations[move.before.code]
            inv.opens, inv.due, inv.closes = move.after.opens, move.after.due, move.after.closes
            inv.label = move.after.label
            inv.expires_at = window_end(clinic, inv.closes)
            inv.revision += 1
            today = local_day(clinic, now)
            if inv.expires_at <= now:
                inv.status = InvitationStatus.MISSED
            elif today < inv.opens and inv.status == InvitationStatus.SENT:
                inv.status, inv.reminders_sent, inv.sent_at = InvitationStatus.SCHEDULED, 0, None
                revoke_links(inv, now)
            elif inv.status == InvitationStatus.MISSED:
                inv.status, inv.reminders_sent = InvitationStatus.SCHEDULED, 0
            inv.save()
            touched.append(inv)
        for code in result.kept:
            inv = invitations[code]
            outside = code in result.kept_outside_window
            if inv.outside_window != outside:
                inv.outside_window = outside
                inv.save(update_fields=["outside_window", "updated_at"])
        for code in result.withdrawn:
            inv = invitations[code]
            inv.status, inv.cancelled_reason = InvitationStatus.CANCELLED, LEFT_PLAN
            inv.revision += 1
            revoke_links(inv, now)
            inv.save()
        # Moved windows and withdrawn time points change what the report counts as answered.
        time_point_scores.refresh(
            [invitations[m.before.code].pk for m in result.moved]
            + [invitations[code].pk for code in result.withdrawn]
        )
        positions = {point.code: i for i, point in enumerate(plan.points)}
        for point in result.added:
            expires = window_end(clinic, point.closes)
            late = expires <= now
            inv = Invitation.objects.create(
                follow_up=follow_up,
                code=point.code,
                label=point.label,
                position=positions[point.code],
                opens=point.opens,
                due=point.due,
                closes=point.closes,
                expires_at=expires,
                instruments=library.battery(plan.id, point.code, arm=follow_up.arm),
                status=InvitationStatus.CANCELLED if late else InvitationStatus.SCHEDULED,
                cancelled_reason=ENROLLED_LATE if late else "",
            )
            invitations[inv.code] = inv
            touched.append(inv)
        for code, inv in invitations.items():
            if code in positions and inv.position != positions[code]:
                inv.position = positions[code]
                inv.save(update_fields=["position", "updated_at"])
        follow_up.treatment_date = treatment_date
        follow_up.plan_id, follow_up.plan_version = plan.id, plan.version
        if anchor is not None:
            follow_up.arm, follow_up.anchor = anchor.arm, anchor.anchor
        follow_up.save()
        # A new entry day or arm changes the report's summary and every score row's flags.
        follow_up_summary.refresh_follow_ups([follow_up.pk])
        record(
            OUTCOMES_REPLAN,
            request=request,
            actor=user,
            clinic=clinic,
            patient_id=follow_up.patient_id,
            obj=follow_up,
            details={
                "plan": plan.id,
                "version": plan.version,
                "moved": [m.before.code for m in result.moved],
                "added": [p.code for p in result.added],
                "withdrawn": list(result.withdrawn),
                "kept": list(result.kept),
                "kept_outside_window": list(result.kept_outside_window),
            },
        )
        if follow_up.status == FollowUpStatus.ACTIVE:
            _after_commit_advance(touched)
    return result


def _as_planned(invitation: Invitation, clinic: Any) -> PlannedInvitation:
    response = getattr(invitation, "response", None)
    answered = None
    if response is not None and invitation.status in (
        InvitationStatus.PARTIAL,
        InvitationStatus.COMPLETED,
    ):
        answered = local_day(clinic, response.submitted_at or response.updated_at)
    return PlannedInvitation(
        code=invitation.code,
        status=invitation.status,  # type: ignore[arg-type]
        opens=invitation.opens,
        due=invitation.due,
        closes=invitation.closes,
        answered_on=answered,
    )


def sync_treatment(patient: Patient, *, now: datetime | None = None) -> Replan | None:
    """Re-plan an active follow-up when the patient's treatment date (or arm) has changed."""
    follow_up = FollowUp.objects.filter(patient=patient, status=FollowUpStatus.ACTIVE).first()
    if follow_up is None:
        return None
    anchor = find_anchor(patient)
    if anchor is None or (anchor.arm, anchor.anchor, anchor.treatment_date) == (
        follow_up.arm,
        follow_up.anchor,
        follow_up.treatment_date,
    ):
        return None
    return replan(follow_up, anchor=anchor, now=now)


def stop(
    follow_up: FollowUp,
    *,
    reason: str,
    now: datetime | None = None,
    user: Any = None,
    request: HttpRequest | None = None,
) -> FollowUp:
    """Stop following the patient: waiting invitations are cancelled, answers already saved kept."""
    if reason not in StopReason.values:
        raise OutcomesError(f"reason: choose one of {', '.join(StopReason.values)}")
    now = now or timezone.now()
    with transaction.atomic():
        follow_up = (
            FollowUp.objects.select_for_update(of=("self",))
            .select_related("patient__clinic")
            .get(pk=follow_up.pk)
        )
        if follow_up.status == FollowUpStatus.STOPPED:
            raise OutcomesError("Follow-up is already stopped.")
        for inv in follow_up.invitations.select_for_update().filter(status__in=PENDING_STATUSES):
            revoke_links(inv, now)
            inv.revision += 1
            response = Response.objects.filter(invitation=inv).first()
            if inv.status == InvitationStatus.PARTIAL and response is not None:
                close_response(response, inv, now)  # what they saved counts as a partial answer
            else:
                inv.status, inv.cancelled_reason = InvitationStatus.CANCELLED, STOPPED
            inv.save()
            time_point_scores.refresh([inv.pk])
        follow_up.status, follow_up.stop_reason, follow_up.stopped_at = (
            FollowUpStatus.STOPPED,
            reason,
            now,
        )
        follow_up.save()
        follow_up_summary.refresh_follow_ups([follow_up.pk])
        record(
            OUTCOMES_STOP,
            request=request,
            actor=user,
            clinic=follow_up.patient.clinic,
            patient_id=follow_up.patient_id,
            obj=follow_up,
            details={"reason": reason},
        )
    return follow_up
