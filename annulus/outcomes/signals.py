"""Follow the treatment date wherever it is edited, and keep survey links out of stored emails.

The treatment date lives in other apps (the fibrin procedure, a referral, the planned date on the
patient). Whatever page or command changes it, the save ends here and an enrolled patient's
pending invitations are re-planned in the same transaction, so the two never disagree
(REDCap's scheduled invitations famously do not follow a changed date).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from annulus.clinical.models import AlternativeReferral, FibrinProcedure
from annulus.notifications.models import OutboundEmail, Status
from annulus.patients.models import Patient


def _treatment_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return  # loading fixtures
    from annulus.outcomes.actions import sync_treatment
    from annulus.outcomes.models import FollowUp

    patient_id = instance.pk if isinstance(instance, Patient) else instance.patient_id
    if not FollowUp.objects.filter(patient_id=patient_id).exists():
        return
    patient = Patient.objects.select_related("clinic").filter(pk=patient_id).first()
    if patient is not None:
        sync_treatment(patient)


def _email_saved(sender: Any, instance: OutboundEmail, **kwargs: Any) -> None:
    from annulus.outcomes.delivery import EMAIL_KINDS, redact_email

    # Sent: the patient has it, the stored copy no longer needs a working link. A failed email
    # keeps its link for the retry.
    if instance.kind in EMAIL_KINDS and instance.status == Status.SENT:
        redact_email(instance.pk)


def connect() -> None:
    for model in (FibrinProcedure, AlternativeReferral, Patient):
        uid = f"outcomes-treatment-{model.__name__}"
        post_save.connect(_treatment_changed, sender=model, dispatch_uid=f"{uid}-saved")
        if model is not Patient:
            post_delete.connect(_treatment_changed, sender=model, dispatch_uid=f"{uid}-deleted")
    post_save.connect(_email_saved, sender=OutboundEmail, dispatch_uid="outcomes-email-saved")
