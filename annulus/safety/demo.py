"""The safety loop on the demo clinic, made through the real actions.

- Dana Whitfield reported saddle numbness on her intake link: an open emergency alert.
- Blake Okafor answered his 72-hour check-in with a fever: an open urgent alert.
- Emerson Quinn's fever was recorded at intake: acknowledged, with the call the clinician made.
- Carmen Liu reported redness at the needle site: an adverse event recorded from the alert.

Idempotent: once the check-in alerts exist, a second seed changes nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from annulus.accounts.models import User
from annulus.audit.context import AuditContext
from annulus.clinical.models import AdverseEvent, FibrinProcedure
from annulus.patients.models import Intake, Patient
from annulus.safety import actions
from annulus.safety.models import Alert, CheckIn, CheckInKind

CTX = AuditContext.system("seed_demo")
NO = {"fever": False, "needle_site": False, "leg_weakness": False, "bladder_bowel": False}


def _patient(clinic: Any, first: str, last: str) -> Patient | None:
    return Patient.objects.filter(clinic=clinic, first_name=first, last_name=last).first()


def _check_in(patient: Patient, kind: str) -> CheckIn | None:
    procedure = FibrinProcedure.objects.filter(patient=patient).order_by("performed_on").first()
    if procedure is None:
        return None
    # The check-ins as they were planned on the day of the procedure.
    planned_at = datetime.combine(procedure.performed_on, time(12), tzinfo=UTC)
    actions.schedule_check_ins(
        patient,
        procedure_kind="fibrin",
        procedure_ref=f"FibrinProcedure:{procedure.pk}",
        procedure_on=procedure.performed_on,
        ctx=CTX,
        now=planned_at,
    )
    return CheckIn.objects.filter(patient=patient, kind=kind).first()


def seed_safety(clinic: Any, today: date) -> list[Alert]:
    # The patients' seed raised the intake alerts already (Dana's from her link, Emerson's from
    # staff); the check-in alerts mark that this step ran.
    if Alert.objects.filter(clinic=clinic, source_ref__startswith="checkin:").exists():
        return list(Alert.objects.filter(clinic=clinic))
    clinician = User.objects.filter(email="clinician@demo.annulus.test").first()
    if not clinic.on_call_email:
        clinic.on_call_email = "on-call@demo.annulus.test"
        clinic.save(update_fields=["on_call_email"])
    dana = _patient(clinic, "Dana", "Whitfield")
    if dana is not None and (intake := Intake.objects.filter(patient=dana).first()):
        actions.raise_intake_alerts(dana, intake, ctx=CTX, source="intake")
    blake = _patient(clinic, "Blake", "Okafor")
    if blake is not None and (check_in := _check_in(blake, CheckInKind.HOURS_72)):
        actions.answer_check_in(check_in, {**NO, "fever": True, "back_pain_worse": False}, ctx=CTX)
    emerson = _patient(clinic, "Emerson", "Quinn")
    if emerson is not None and (intake := Intake.objects.filter(patient=emerson).first()):
        actions.raise_intake_alerts(emerson, intake, actor=clinician, ctx=CTX, source="staff")
        for alert in Alert.objects.filter(patient=emerson, acknowledged_at__isnull=True):
            actions.acknowledge_alert(
                alert,
                actor=clinician,
                ctx=CTX,
                action="same_day_visit",
                note="Called; seen the same afternoon. Blood tests normal, no infection found.",
            )
    carmen = _patient(clinic, "Carmen", "Liu")
    if carmen is not None and (check_in := _check_in(carmen, CheckInKind.WEEKS_2)):
        for alert in actions.answer_check_in(
            check_in, {**NO, "needle_site": True, "back_pain_worse": False}, ctx=CTX
        ):
            onset = check_in.procedure_on.fromordinal(check_in.procedure_on.toordinal() + 13)
            event = AdverseEvent(
                procedure=FibrinProcedure.objects.filter(patient=carmen).first(),
                onset_on=onset,
                description="Redness and mild swelling at the needle site, no fever.",
                related=True,
                serious=False,
                severity="mild",
                procedure_relatedness="probable",
                product_relatedness="unlikely",
                action_taken="none",
                outcome="recovered",
                resolved_on=onset.fromordinal(onset.toordinal() + 5),
            )
            actions.record_adverse_event_from_alert(
                alert, event, actor=clinician, ctx=CTX, note="Settled without treatment."
            )
    return list(Alert.objects.filter(clinic=clinic))
