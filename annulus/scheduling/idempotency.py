"""`Idempotency-Key` for the booking API (IETF draft-ietf-httpapi-idempotency-key-header).

The key is claimed in the same transaction as the booking and stored with the first answer.
A repeat with the same body gets that answer again and stores nothing new; a repeat with another
body is refused. Two concurrent requests with one key: on PostgreSQL the second waits on the
key's unique index until the first commits, then replays its answer; SQLite serializes them.
A request that fails (409, 422) rolls its key back, so a corrected retry may use it again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from annulus.scheduling.models import IdempotencyKey

MAX_KEY_LENGTH = 255


class KeyReused(Exception):
    """The key was used before for a different request."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]
    appointment_id: int | None = None
    replayed: bool = False


def fingerprint(payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def run_once(scope: str, key: str, print_: str, work: Callable[[], Answer]) -> Answer:
    """Run `work` once per (scope, key); repeats get the stored answer with `replayed=True`."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(scope=scope, key=key, fingerprint=print_)
        except IntegrityError:
            row = IdempotencyKey.objects.get(scope=scope, key=key)
            if row.fingerprint != print_:
                raise KeyReused from None
            return Answer(
                int(row.status_code or 200), dict(row.response or {}), row.appointment_id, True
            )
        answer = work()
        row.status_code = answer.status
        row.response = answer.body
        row.appointment_id = answer.appointment_id
        row.save(update_fields=["status_code", "response", "appointment"])
        return answer
