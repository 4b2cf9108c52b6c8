"""L2: tasks a dead worker left RUNNING are retried once, and an email is never sent twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from annulus.lib.tasks import recover_stale_tasks
from annulus.notifications.actions import STUCK_AFTER, deliver_email, queue_email
from annulus.notifications.models import OutboundEmail, Status

pytestmark = pytest.mark.django_db(transaction=True)
LONG_AGO = datetime.now(UTC) - timedelta(hours=1)


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def email(clinic) -> OutboundEmail:
    return queue_email(kind="test.hello", to="pat@example.org", subject="Hi", body_text="Hello",
                       clinic=clinic)  # fmt: skip


def die_while_running(worker_ids: list[str]) -> DBTaskResult:
    """What a kill -9 leaves behind: the task claimed, RUNNING, never finished."""
    task = DBTaskResult.objects.get()
    DBTaskResult.objects.filter(pk=task.pk).update(
        status="RUNNING", started_at=LONG_AGO, worker_ids=worker_ids
    )
    return task


def test_a_task_left_running_is_retried_and_the_email_sent_once(clinic):
    queued = email(clinic)
    task = die_while_running(["dead-worker"])  # died before it called the mail server
    assert recover_stale_tasks() == (1, 0)
    run_worker()
    queued.refresh_from_db()
    assert queued.status == Status.SENT
    assert len(mail.outbox) == 1
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"


def test_an_email_interrupted_mid_send_is_never_sent_again(clinic):
    queued = email(clinic)
    die_while_running(["dead-worker"])
    # The worker had marked it sending and called the mail server, then died.
    OutboundEmail.objects.filter(pk=queued.pk).update(
        status=Status.SENDING, sending_started_at=LONG_AGO, attempts=1
    )
    recover_stale_tasks()
    run_worker()
    queued.refresh_from_db()
    assert len(mail.outbox) == 0
    assert queued.status == Status.GAVE_UP
    assert "not sent again" in queued.last_error


def test_a_send_in_progress_elsewhere_is_left_alone(clinic):
    queued = email(clinic)
    OutboundEmail.objects.filter(pk=queued.pk).update(
        status=Status.SENDING, sending_started_at=datetime.now(UTC) - STUCK_AFTER / 2
    )
    assert deliver_email.call(queued.pk) == "being sent by another worker"
    assert len(mail.outbox) == 0


def test_a_task_is_retried_at_most_once(clinic):
    email(clinic)
    task = die_while_running(["dead-worker", "second-dead-worker"])
    assert recover_stale_tasks() == (0, 1)
    task.refresh_from_db()
    assert task.status == "FAILED"
    run_worker()
    assert len(mail.outbox) == 0


def test_a_recent_running_task_is_not_touched(clinic):
    email(clinic)
    task = DBTaskResult.objects.get()
    DBTaskResult.objects.filter(pk=task.pk).update(
        status="RUNNING", started_at=datetime.now(UTC), worker_ids=["alive"]
    )
    assert recover_stale_tasks() == (0, 0)
