"""`record()` writes one audit event; `verify_chain()` checks the whole trail."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest

from annulus.audit.context import AuditContext
from annulus.audit.keys import AuditKeys
from annulus.audit.models import GENESIS_HASH, AuditEvent, Outcome

# Any constant works: it names the one lock that serializes appends on PostgreSQL.
_CHAIN_LOCK_KEY = 0x616E6E75


def audit_keys() -> AuditKeys:
    keys: AuditKeys = settings.AUDIT_KEYS
    return keys


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
    keys = audit_keys()
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
            key_id=keys.current,
        )
        event.hash = event.compute_hash(keys.secret(keys.current))
        event.save()
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_id: int | None = None
    reason: str = ""
    last_id: int | None = None
    last_hash: str = GENESIS_HASH

    @property
    def ok(self) -> bool:
        return self.broken_id is None and not self.reason


@dataclass(frozen=True)
class Anchor:
    """A chain head kept outside the database: `count` events ending at `last_id`, `last_hash`."""

    count: int
    last_id: int | None
    last_hash: str
    at: str = ""


def verify_chain(anchors: Mapping[int, Anchor] | None = None) -> ChainReport:
    """Walk the trail in id order; report the first row whose link or content does not match.

    With `anchors` (by last id), every anchored head must still be there with the same MAC and
    the same number of events before it, so deleting rows, even the newest, is noticed.
    """
    keys = audit_keys()
    anchors = dict(anchors or {})
    expected_prev = GENESIS_HASH
    checked = 0
    last_id: int | None = None
    keyed_seen = False
    # Unkeyed rows predate the keyed chain. Where they may stop is fixed outside the database
    # (ANNULUS_AUDIT_LEGACY_UNTIL), else a full downgrade to plain SHA-256 would pass.
    legacy_until: int | None = settings.AUDIT_LEGACY_UNTIL
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != expected_prev:
            return ChainReport(checked, event.pk, "its link to the previous row does not match")
        if event.key_id:
            secret = keys.secret(event.key_id)
            if secret is None:
                return ChainReport(
                    checked,
                    event.pk,
                    f"it is signed with key {event.key_id!r}, which is not loaded",
                )
            keyed_seen = True
        elif keyed_seen:
            # A legacy (unkeyed) row after keyed ones is a downgrade: someone recomputed it.
            return ChainReport(checked, event.pk, "it is unkeyed after keyed rows (rewritten)")
        elif legacy_until is not None and event.pk > legacy_until:
            return ChainReport(
                checked,
                event.pk,
                f"it is unkeyed (plain SHA-256) but ANNULUS_AUDIT_LEGACY_UNTIL={legacy_until} "
                "allows unkeyed rows only up to that id",
            )
        else:
            secret = None
        if event.compute_hash(secret) != event.hash:
            return ChainReport(checked, event.pk, "its content does not match its MAC")
        expected_prev = event.hash
        checked += 1
        last_id = event.pk
        anchor = anchors.pop(event.pk, None)
        if anchor is not None and (anchor.last_hash != event.hash or anchor.count != checked):
            return ChainReport(
                checked,
                event.pk,
                f"the anchor of {anchor.at or 'an earlier check'} recorded {anchor.count} events "
                f"ending here with another MAC; {checked} events end here now",
            )
    if anchors:
        # The newest anchored head no longer exists: rows at the tail were deleted.
        newest = max(anchors.values(), key=lambda a: a.count)
        missing = newest.count - checked
        first_missing = (last_id or 0) + 1
        return ChainReport(
            checked,
            None,
            f"anchored events are missing: the anchor of {newest.at or 'an earlier check'} "
            f"recorded {newest.count} events up to #{newest.last_id}, the table has {checked} "
            f"ending at #{last_id}; at least {missing if missing > 0 else 'one'} event(s) "
            f"from #{first_missing} to #{newest.last_id} are gone",
            last_id,
            expected_prev,
        )
    return ChainReport(checked, None, "", last_id, expected_prev)
