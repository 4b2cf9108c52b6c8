"""Which task backend runs the background work: `ANNULUS_TASK_BACKEND=database|rq`.

`database` (the default) keeps the queue in the application's database (django-tasks-db): nothing
else to run. `rq` puts it in Redis (`REDIS_URL`) through django-tasks-rq, for several app servers
sharing one broker. The task code is the same on both (`@task`, `.enqueue()`): only settings and
the worker command change. `annulus worker` (and the workers `annulus serve` starts) run the
matching worker; this module reads the environment only, so the console script can call it before
Django is set up.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

BACKENDS = ("database", "rq")
RQ_QUEUE = "default"


class TaskBackendError(ValueError):
    pass


def backend_name(environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    name = env.get("ANNULUS_TASK_BACKEND", "").strip() or "database"
    if name not in BACKENDS:
        raise TaskBackendError(
            f"ANNULUS_TASK_BACKEND must be one of {', '.join(BACKENDS)} (got {name!r})"
        )
    if name == "rq" and not env.get("REDIS_URL", "").strip():
        raise TaskBackendError("ANNULUS_TASK_BACKEND=rq needs REDIS_URL (redis://host:6379/0)")
    return name


def task_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """TASKS, RQ_QUEUES and the extra apps for the chosen backend (read by settings.py)."""
    env = os.environ if environ is None else environ
    if backend_name(env) == "rq":
        return {
            "TASKS": {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [RQ_QUEUE]}},
            "RQ_QUEUES": {RQ_QUEUE: {"URL": env["REDIS_URL"].strip(), "DEFAULT_TIMEOUT": 600}},
            "APPS": ["django_rq", "django_tasks_rq"],
        }
    return {
        "TASKS": {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
        "RQ_QUEUES": {},
        "APPS": [],
    }


def worker_args(environ: Mapping[str, str] | None = None) -> list[str]:
    """The management command (and its options) that runs tasks for the chosen backend."""
    if backend_name(environ) == "rq":
        # --with-scheduler: RQ moves tasks with run_after to the queue when due. Only one worker
        # at a time holds the scheduler lock, so several servers do not schedule twice.
        return ["rqworker", "--job-class", "django_tasks_rq.Job", "--with-scheduler", RQ_QUEUE]
    return ["db_worker"]


def queue_reachable() -> str:
    """ "" when the configured queue answers, else why not (no secrets, no URLs)."""
    from django.conf import settings

    backend = settings.TASKS["default"]["BACKEND"]
    if backend == "django_tasks_rq.RQBackend":
        import django_rq
        from redis.exceptions import RedisError

        try:
            django_rq.get_connection(RQ_QUEUE).ping()
        except RedisError as exc:
            return f"Redis task queue unreachable ({type(exc).__name__})"
        return ""
    from django.db import DatabaseError
    from django_tasks_db.models import DBTaskResult

    try:
        DBTaskResult.objects.only("id").first()
    except DatabaseError as exc:
        return f"database task queue unreadable ({type(exc).__name__})"
    return ""
