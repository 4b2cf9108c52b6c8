"""`record()` writes one audit event; `verify_chain()` checks the whole trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest

from annulus.audit.context import AuditContext
from annulus.audit.models import GENESIS_HASH, AuditEvent, Outcome

# Any constant works: it names the one lock that serializes appends on PostgreSQL.
_CHAIN_LOCK_KEY = 0x616E6E75


def record(
    action: str,
    *,
    request: HttpRequest | None = None,
    ctx: AuditContext | None = None,
    actor: Any = None,
    clinic: Any = None,
    patient_id: int | None = None,
    obj: Any = None,
    outcome: str = Outcome.SUCCESS,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an audit event, inside the caller's transaction when there is one.

    `details` must never hold PHI (names, dates of birth, free text from patients): codes and
    ids only. The actor defaults to the request's user when it is authenticated. Actions pass
    `ctx` (an `AuditContext`) instead of the request.
    """
    if ctx is None and request is not None:
        ctx = AuditContext.from_request(request)
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        # On SQLite the IMMEDIATE transaction mode already holds the write lock here.
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event = AuditEvent(
            at=datetime.now(UTC),
            actor=actor,
            clinic=clinic,
            patient_id=patient_id,
            action=action,
            object_type=type(obj).__name__ if obj is not None else "",
            object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
            outcome=outcome,
            ip=ctx.ip if ctx is not None else None,
            request_id=ctx.request_id if ctx is not None else "",
            details=details or {},
            prev_hash=last or GENESIS_HASH,
        )
        event.hash = event.compute_hash()
        event.save()
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_id: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def verify_chain() -> ChainReport:
    """Walk the trail in id order; report the first row whose link or content does not match."""
    expected_prev = GENESIS_HASH
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != expected_prev:
            return ChainReport(checked, event.pk, "its link to the previous row does not match")
        if event.compute_hash() != event.hash:
            return ChainReport(checked, event.pk, "its content does not match its hash")
        expected_prev = event.hash
        checked += 1
    return ChainReport(checked)
