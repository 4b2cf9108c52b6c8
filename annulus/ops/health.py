"""`/healthz` (liveness) and `/readyz` (readiness), built on django-health-check.

Both are public and say only which check failed and why, never data. `/healthz` touches nothing
outside the process, so a slow database does not get a healthy server restarted. `/readyz` is what
a load balancer asks before sending traffic: a database write and read, the task queue reachable,
every migration applied, and the audit anchor fresh (no audit event older than
`AUDIT_ANCHOR_MAX_AGE_SECONDS` left without an anchor in the file kept outside the database).

The checks run on the request's own thread (`thread_sensitive=True`): Django's database
connections belong to a thread, and a probe must not open a connection per executor thread.
"""

from __future__ import annotations

import dataclasses
import json
import os
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from annulus.accounts.policy import public

DEFAULT_ANCHOR_MAX_AGE = 15 * 60  # three missed 5-minute anchors


class _SyncCheck(HealthCheck):
    async def run(self) -> None:
        await sync_to_async(self.check, thread_sensitive=True)()

    def check(self) -> None:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError


@dataclasses.dataclass
class DatabaseWriteRead(_SyncCheck):
    """Write a row and read it back through the shared database cache table."""

    alias: str = "ratelimit"

    def check(self) -> None:
        cache = caches[self.alias]
        key = f"readyz:{os.getpid()}:{uuid.uuid4().hex}"
        try:
            cache.set(key, key, timeout=60)
            value = cache.get(key)
            cache.delete(key)
        except DatabaseError as exc:
            raise ServiceUnavailable(f"database write failed ({type(exc).__name__})") from exc
        if value != key:
            raise ServiceUnavailable("database did not return the row just written")


@dataclasses.dataclass
class MigrationsApplied(_SyncCheck):
    def check(self) -> None:
        try:
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError as exc:
            raise ServiceUnavailable(f"cannot read migrations ({type(exc).__name__})") from exc
        if plan:
            raise ServiceUnavailable(f"{len(plan)} migration(s) not applied")


@dataclasses.dataclass
class TaskQueue(_SyncCheck):
    """The configured task backend can be reached (Redis ping, or the database queue table)."""

    def check(self) -> None:
        from annulus.ops.tasks_backend import queue_reachable

        problem = queue_reachable()
        if problem:
            raise ServiceUnavailable(problem)


@dataclasses.dataclass
class AuditAnchorFresh(_SyncCheck):
    def check(self) -> None:
        problem = audit_anchor_problem()
        if problem:
            raise ServiceUnavailable(problem)


def audit_anchor_problem(now: datetime | None = None) -> str:
    """Why the anchor is stale, or "" when every event older than the limit is anchored."""
    from annulus.audit.models import AuditEvent

    max_age = int(getattr(settings, "AUDIT_ANCHOR_MAX_AGE_SECONDS", DEFAULT_ANCHOR_MAX_AGE))
    cutoff = (now or datetime.now(UTC)) - timedelta(seconds=max_age)
    try:
        anchored_up_to = latest_anchored_id()
    except (ValueError, OSError) as exc:
        return f"audit anchor file unreadable ({type(exc).__name__})"
    oldest = (
        AuditEvent.objects.filter(id__gt=anchored_up_to, at__lt=cutoff)
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    if oldest is not None:
        return f"audit events from #{oldest} are older than {max_age} s and not anchored"
    return ""


def latest_anchored_id(tail_bytes: int = 64 * 1024) -> int:
    """The highest event id anchored, read from the end of the anchor file only.

    The file grows by one line every 5 minutes forever; a probe every few seconds must not parse
    all of it. Anchors are appended in time order, so the newest are in the last lines.
    """
    from annulus.audit.anchor import anchor_path

    path = anchor_path()
    if not path.exists():
        return 0
    with path.open("rb") as handle:
        size = handle.seek(0, os.SEEK_END)
        handle.seek(max(0, size - tail_bytes))
        lines = handle.read().splitlines()
    if size > tail_bytes:
        lines = lines[1:]  # the first one may be cut
    ids = [json.loads(line).get("last_id") for line in lines if line.strip()]
    return max((int(i) for i in ids if i is not None), default=0)


class _JsonHealthView(HealthCheckView):
    """Always answer JSON: no template, and nothing but check names and reasons."""

    def render_to_response(self, context: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = self.render_to_response_json(kwargs.get("status", 200))
        return response


class LivenessView(_JsonHealthView):
    checks = ()


class ReadinessView(_JsonHealthView):
    checks = (DatabaseWriteRead, MigrationsApplied, TaskQueue, AuditAnchorFresh)


liveness = public(LivenessView.as_view())
readiness = public(ReadinessView.as_view())
