"""Background-task housekeeping: tasks whose worker died, and the audit anchor.

A task the database worker claimed stays RUNNING forever if its worker is killed. After
`ANNULUS_TASK_TIMEOUT` seconds (default 15 minutes; no task here runs that long)
`recover_stale_tasks()` hands it back to the queue once, so another worker retries it; a task that
already had its retry is marked failed. Tasks with outside effects must be idempotent so that
the retry never repeats the effect: `deliver_email` marks the email `sending` before it calls the
mail server and gives up as "uncertain" rather than send twice.

`housekeeping()` runs both jobs; `annulus serve` calls it (as `annulus housekeeping`) every
5 minutes.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

log = logging.getLogger(__name__)
MAX_CLAIMS = 2  # the first run and at most one retry


class WorkerDied(RuntimeError):
    """The worker running this task stopped before it reported back."""


def recover_stale_tasks(timeout: timedelta | None = None) -> tuple[int, int]:
    """Requeue (once) or fail tasks RUNNING longer than `timeout`; returns (requeued, failed)."""
    timeout = timeout or timedelta(seconds=settings.TASK_TIMEOUT_SECONDS)
    cutoff = timezone.now() - timeout
    requeued = failed = 0
    with transaction.atomic():
        stale = DBTaskResult.objects.filter(status="RUNNING", started_at__lt=cutoff)
        for result in stale.select_for_update(skip_locked=True):
            if len(result.worker_ids) < MAX_CLAIMS:
                result.status = "READY"
                result.started_at = None
                result.save(update_fields=["status", "started_at"])
                requeued += 1
            else:
                result.status = "FAILED"
                result.finished_at = timezone.now()
                result.exception_class_path = f"{__name__}.WorkerDied"
                result.traceback = f"WorkerDied: no answer after {timeout} (claimed twice)"
                result.return_value = None
                result.save()
                failed += 1
    if requeued or failed:
        log.warning("stale tasks: %s requeued, %s failed", requeued, failed)
    return requeued, failed


def housekeeping() -> str:
    from annulus.audit.anchor import anchor_chain_head
    from annulus.lib.site import DEVELOPMENT_SITE_URL, site_base
    from annulus.safety.actions import resend_due_alerts
    from annulus.scheduling.actions.waitlist import expire_due

    requeued, failed = recover_stale_tasks()
    # A backstop for the per-alert re-send tasks: an emergency alert whose task was lost (a dead
    # worker, a backend without deferred tasks) is still sent again and escalated.
    resent = resend_due_alerts(datetime.now(UTC))
    # The same backstop for waitlist offers: one whose expiry task was lost still lapses, and its
    # time goes to the next person waiting.
    lapsed = expire_due(base=site_base(fallback=DEVELOPMENT_SITE_URL))
    anchor = anchor_chain_head()
    return (
        f"tasks requeued {requeued}, failed {failed}; alerts re-sent or escalated {len(resent)}; "
        f"waitlist offers lapsed {lapsed}; audit anchored at {anchor.count} events"
    )
