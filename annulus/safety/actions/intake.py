"""Saving an intake and raising its red-flag alerts in the same transaction.

Integrator: once `patients.actions.save_intake` exists, call `raise_intake_alerts(patient,
intake, actor=..., ctx=..., source=...)` inside it and drop this wrapper.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from annulus.audit.context import AuditContext
from annulus.patients.history import save_clinical
from annulus.safety.actions.alerts import raise_intake_alerts


def save_intake_with_alerts(
    intake: Any,
    *,
    patient: Any,
    source: str,
    user: Any = None,
    request: Any = None,
    via_patient_link: bool = False,
    audit_action: str,
) -> Any:
    ctx = AuditContext.from_request(request) if request is not None else AuditContext.system(source)
    with transaction.atomic():
        save_clinical(
            intake,
            patient=patient,
            user=user,
            request=request,
            via_patient_link=via_patient_link,
            audit_action=audit_action,
        )
        raise_intake_alerts(patient, intake, actor=user, ctx=ctx, source=source)
    return intake
