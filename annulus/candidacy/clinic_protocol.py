"""The clinic's candidacy protocol: the director's choice, and decisions made under an older one.

`clinic_protocol(clinic)` is what a plain "run the protocol" uses for that clinic (the evaluate
action and the candidacy page). A stored decision made under an older version of the same
protocol is marked on the patient page with "re-evaluate under vN".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from annulus.accounts.models import Clinic
from annulus.audit.actions import CLINIC_CANDIDACY_PROTOCOL
from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.candidacy.engine import (
    DEFAULT_PROTOCOL,
    Protocol,
    UnknownProtocolError,
    load_protocol,
)
from annulus.candidacy.models import Evaluation
from annulus.patients.models import Patient

logger = logging.getLogger(__name__)


def protocol_key(protocol: Protocol) -> str:
    return f"{protocol.id}@{protocol.version}"


def resolve_key(key: str) -> Protocol:
    """`ID@VERSION` → the released protocol; `UnknownProtocolError` otherwise."""
    protocol_id, at, version = key.partition("@")
    if not at or not version.isdigit():
        raise UnknownProtocolError(f"protocol {key!r}: write ID@VERSION")
    return load_protocol(protocol_id, int(version))


def clinic_protocol(clinic: Clinic) -> Protocol:
    """The clinic's chosen protocol; the newest default when none is chosen (or it is gone)."""
    if clinic.candidacy_protocol:
        try:
            return resolve_key(clinic.candidacy_protocol)
        except UnknownProtocolError:
            logger.warning("clinic %s: protocol setting no longer released", clinic.pk)
    return load_protocol(DEFAULT_PROTOCOL)


def set_clinic_protocol(clinic: Clinic, key: str, *, actor: Any, ctx: AuditContext) -> Protocol:
    """The clinical director's choice (the view checks the role); audited with before and after."""
    protocol = resolve_key(key)
    with transaction.atomic():
        current = Clinic.objects.select_for_update().get(pk=clinic.pk)
        before = current.candidacy_protocol
        after = protocol_key(protocol)
        Clinic.objects.filter(pk=clinic.pk).update(candidacy_protocol=after)
        clinic.candidacy_protocol = after
        record(
            CLINIC_CANDIDACY_PROTOCOL,
            ctx=ctx,
            actor=actor,
            clinic=clinic,
            obj=clinic,
            details={"before": before, "after": after},
        )
    return protocol


@dataclass(frozen=True)
class StaleDecision:
    evaluation: Evaluation
    current: Protocol


def stale_decision(patient: Patient) -> StaleDecision | None:
    """The patient's latest decision when it was made under an older version of the clinic's
    protocol, else None."""
    latest = (
        Evaluation.objects.filter(patient=patient)
        .only("pk", "protocol_id", "protocol_version", "evaluated_at", "outcome")
        .order_by("-evaluated_at", "-id")
        .first()
    )
    if latest is None:
        return None
    current = clinic_protocol(patient.clinic)
    if latest.protocol_id == current.id and latest.protocol_version < current.version:
        return StaleDecision(latest, current)
    return None
