"""ANNULUS_TASK_BACKEND: the same task path on the database queue and on RQ (Redis db 7)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.db import transaction

from annulus.cli import main as cli_main
from annulus.notifications.models import OutboundEmail, Status
from annulus.ops.tasks_backend import TaskBackendError, queue_reachable, task_settings, worker_args

# This engineer's own Redis database: the tests flush this one only.
REDIS_URL = os.environ.get("ANNULUS_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
IN_CI = os.environ.get("CI", "").lower() == "true"


def test_it_picks_the_worker_and_settings_for_each_backend() -> None:
    assert worker_args({}) == ["db_worker"]
    assert worker_args({"ANNULUS_TASK_BACKEND": "database"}) == ["db_worker"]
    rq_env = {"ANNULUS_TASK_BACKEND": "rq", "REDIS_URL": "redis://cache:6379/0"}
    assert worker_args(rq_env)[:3] == ["rqworker", "--job-class", "django_tasks_rq.Job"]
    config = task_settings(rq_env)
    assert config["TASKS"]["default"]["BACKEND"] == "django_tasks_rq.RQBackend"
    assert config["RQ_QUEUES"]["default"]["URL"] == "redis://cache:6379/0"
    assert "django_rq" in config["APPS"]
    with pytest.raises(TaskBackendError, match="REDIS_URL"):
        worker_args({"ANNULUS_TASK_BACKEND": "rq"})
    with pytest.raises(TaskBackendError, match="ANNULUS_TASK_BACKEND"):
        task_settings({"ANNULUS_TASK_BACKEND": "celery"})


def test_it_refuses_to_start_a_worker_for_an_unknown_backend(monkeypatch: Any, capsys: Any) -> None:
    monkeypatch.setenv("ANNULUS_TASK_BACKEND", "celery")
    assert cli_main(["worker"]) == 2
    assert "ANNULUS_TASK_BACKEND" in capsys.readouterr().err


@pytest.fixture
def rq_backend(settings: Any) -> Iterator[Any]:
    import redis

    conn = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        conn.ping()
    except redis.exceptions.RedisError:
        if IN_CI:
            raise
        pytest.skip(f"Redis at {REDIS_URL} is not reachable (allowed outside CI)")
    conn.flushdb()
    config = task_settings({"ANNULUS_TASK_BACKEND": "rq", "REDIS_URL": REDIS_URL})
    settings.RQ_QUEUES = config["RQ_QUEUES"]
    settings.TASKS = config["TASKS"]
    try:
        yield conn
    finally:
        conn.flushdb()
        conn.close()


def _queue_one_email() -> OutboundEmail:
    from annulus.notifications.actions import queue_email

    with transaction.atomic():
        return queue_email(kind="ops.test", to="pat@example.org", subject="Hi", body_text="Hello")


def _run_rq_worker_once() -> None:
    import django_rq
    from django_tasks_rq import Job
    from rq import SimpleWorker

    queue = django_rq.get_queue("default", job_class=Job)
    worker = SimpleWorker([queue], connection=queue.connection, job_class=Job)
    worker.work(burst=True)


@pytest.mark.django_db(transaction=True)
def test_it_runs_the_email_task_through_redis(rq_backend: Any) -> None:
    import django_rq

    email = _queue_one_email()
    queue = django_rq.get_queue("default")
    assert queue.count == 1  # enqueued in Redis on commit, not run yet
    assert OutboundEmail.objects.get(pk=email.pk).status == Status.QUEUED

    _run_rq_worker_once()

    email.refresh_from_db()
    assert email.status == Status.SENT
    assert len(mail.outbox) == 1
    assert queue.count == 0
    assert queue_reachable() == ""


@pytest.mark.django_db(transaction=True)
def test_it_runs_the_email_task_through_the_database_queue() -> None:
    from django.core.management import call_command

    email = _queue_one_email()
    assert OutboundEmail.objects.get(pk=email.pk).status == Status.QUEUED
    call_command("db_worker", "--batch", "--no-startup-delay")
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert len(mail.outbox) == 1


def test_it_reports_redis_unreachable_without_the_url(settings: Any) -> None:
    config = task_settings({"ANNULUS_TASK_BACKEND": "rq", "REDIS_URL": "redis://127.0.0.1:1/7"})
    settings.RQ_QUEUES = config["RQ_QUEUES"]
    settings.TASKS = config["TASKS"]
    problem = queue_reachable()
    assert problem.startswith("Redis task queue unreachable")
    assert "127.0.0.1" not in problem


def test_it_starts_the_rq_worker_for_annulus_worker(monkeypatch: Any) -> None:
    """`annulus worker` (and so the workers `annulus serve` starts) follow the setting."""
    import annulus.cli

    started: list[list[str]] = []
    monkeypatch.setattr(annulus.cli, "manage", lambda args: started.append(list(args)) or 0)
    monkeypatch.setenv("ANNULUS_TASK_BACKEND", "rq")
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    assert annulus.cli.main(["worker", "--burst"]) == 0
    monkeypatch.setenv("ANNULUS_TASK_BACKEND", "database")
    assert annulus.cli.main(["worker", "--batch"]) == 0
    assert started[0][0] == "rqworker" and started[0][-1] == "--burst"
    assert "django_tasks_rq.Job" in started[0]
    assert started[1] == ["db_worker", "--batch"]
