"""Where outcomes listens to the rest of the record, and keeps survey links out of stored emails.

- `treatment_anchor_changed` (`annulus/patients/events.py`), sent only by the write actions that
  can move the date follow-up counts from (`update_patient`, `record_procedure`,
  `refer_elsewhere`): an enrolled patient's pending invitations are re-planned in the same
  transaction, so the two never disagree (REDCap's scheduled invitations famously do not follow
  a changed date).
- `record_changed` (`annulus/patients/events.py`), sent by every write of the patient row and the
  clinical record: when the row is one the report's per-follow-up summary is computed from
  (`follow_up_summary.SOURCE_TABLES`), the patient's summary is rebuilt in the same transaction.
- `invitations_planned` (`outcomes/actions/clock.py`), sent on commit by enrolment and
  re-planning: the timers in `delivery.py` start.
- An outgoing survey email, once sent, loses its working link.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from annulus.notifications.models import OutboundEmail, Status
from annulus.patients.events import record_changed, treatment_anchor_changed
from annulus.patients.models import Patient


def _treatment_changed(sender: Any, patient: Patient, **kwargs: Any) -> None:
    from annulus.outcomes.actions import sync_treatment
    from annulus.outcomes.models import FollowUp

    if not FollowUp.objects.filter(patient_id=patient.pk).exists():
        return
    current = Patient.objects.select_related("clinic").filter(pk=patient.pk).first()
    if current is not None:
        sync_treatment(current)


def _record_changed(sender: Any, patient: Patient, **kwargs: Any) -> None:
    from annulus.outcomes import follow_up_summary

    if sender._meta.db_table in follow_up_summary.SOURCE_TABLES and patient.pk is not None:
        follow_up_summary.refresh_patients([patient.pk])


def _email_saved(sender: Any, instance: OutboundEmail, **kwargs: Any) -> None:
    from annulus.outcomes.emails import EMAIL_KINDS, redact_email

    # Sent: the patient has it, the stored copy no longer needs a working link. A failed email
    # keeps its link for the retry.
    if instance.kind in EMAIL_KINDS and instance.status == Status.SENT:
        redact_email(instance.pk)


def _start_timers(sender: Any, **kwargs: Any) -> None:
    # Imported when an enrolment commits, not at start-up: delivery imports every action.
    from annulus.outcomes.delivery import start_timers

    start_timers(sender, **kwargs)


def connect() -> None:
    from annulus.outcomes.events import invitations_planned

    treatment_anchor_changed.connect(_treatment_changed, dispatch_uid="outcomes-treatment")
    record_changed.connect(_record_changed, dispatch_uid="outcomes-report-summary")
    invitations_planned.connect(_start_timers, dispatch_uid="outcomes-timers")
    post_save.connect(_email_saved, sender=OutboundEmail, dispatch_uid="outcomes-email-saved")
