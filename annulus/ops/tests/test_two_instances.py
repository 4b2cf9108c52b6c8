"""Two app servers behind nginx, one PostgreSQL database, one Redis: the booking race.

Two `annulus serve` instances (each with an RQ task worker and a scheduler) run against the test
database and Redis database 10, behind Debian's nginx configured from the shipped
`deploy/nginx/annulus.conf` with a throw-away certificate. 250 clients, 50 per slot over 5
slots, all released at once, connect to nginx over TLS from 127.0.0.2. Checked: exactly one 201
per slot and 409 for the rest; both instances served bookings; each confirmation email was sent
once, and only to the winners; each booking's audit row carries 127.0.0.2 (the client as nginx
saw it), not 127.0.0.1 (nginx's own address, which the app trusts as a proxy).

Runs in the PostgreSQL pass. Outside CI it skips when nginx or Redis is missing; under CI=true
that is a failure.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from email import message_from_string
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from annulus.audit.models import AuditEvent
from annulus.notifications.models import OutboundEmail
from annulus.ops import cluster
from annulus.scheduling.models import Appointment
from annulus.scheduling.tests.factories import at, make_schedule, next_weekday, patient_json
from annulus.testing import make_clinic

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
IN_CI = os.environ.get("CI", "").lower() == "true"
REDIS_URL = "redis://127.0.0.1:6379/10"
CLIENT = "127.0.0.2"
PER_SLOT = 50


def _need(ok: bool, what: str) -> None:
    if not ok:
        if IN_CI:
            pytest.fail(f"{what}, and CI=true requires it")
        pytest.skip(what)


def _redis() -> Any:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        _need(False, "Redis at 127.0.0.1:6379 is not reachable")
    return client


def _database_url() -> str:
    cfg = connection.settings_dict
    return (
        f"postgres://{cfg['USER']}:{cfg['PASSWORD'] or ''}@{cfg['HOST'] or '127.0.0.1'}:"
        f"{cfg['PORT'] or 5432}/{cfg['NAME']}"
    )


def _sent_messages(outbox: Path) -> list[Any]:
    """Every message the file backend wrote (one file per connection, messages split by dashes)."""
    messages = []
    for file in outbox.glob("*.log"):
        for chunk in file.read_text().split("-" * 79):
            if chunk.strip():
                messages.append(message_from_string(chunk.strip()))
    return messages


def test_two_instances_behind_nginx_book_each_slot_once(tmp_path: Path) -> None:
    _need(os.path.exists(cluster.NGINX), "Debian's nginx is not installed")
    redis = _redis()
    redis.flushdb()
    schedule = make_schedule(make_clinic())
    day = next_weekday(0)
    slots = [("dr-ames", at(day, h)) for h in (9, 10, 11)]
    slots += [("dr-baker", at(day, h)) for h in (9, 10)]
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "ANNULUS_VAR_DIR": str(tmp_path / "var"),
        "ANNULUS_AUDIT_ANCHOR": str(tmp_path / "anchor.jsonl"),
        "ANNULUS_TASK_BACKEND": "rq",
        "REDIS_URL": REDIS_URL,
        "ANNULUS_TRUSTED_PROXIES": "127.0.0.1/32",
        "ANNULUS_RATE_LIMITS": "off",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        # 250 requests queued on 6 sync workers on a shared 2-CPU machine: the ones at the back of
        # a slot's queue may wait longer than gunicorn's default 30 s before they are answered.
        "GUNICORN_CMD_ARGS": "--timeout 120",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    serve_args = ["--workers", "3", "--task-workers", "1"]
    started = time.monotonic()
    proxy = cluster.Cluster(tmp_path, env, 2, serve_args).start()
    up = time.monotonic() - started
    started = time.monotonic()
    try:
        barrier = threading.Barrier(PER_SLOT * len(slots), timeout=60)

        def book(i: int) -> tuple[int, int, str, bytes]:
            resource, start = slots[i % len(slots)]
            body = {
                "service": "consultation",
                "start": start.isoformat(),
                "resource": resource,
                "patient": patient_json(i, email=f"race{i}@example.org"),
            }
            barrier.wait()
            status, content = cluster.call(
                proxy.https_port, "POST", "/api/v1/bookings", body, source=CLIENT
            )
            return i % len(slots), status, body["patient"]["email"], content

        with ThreadPoolExecutor(max_workers=PER_SLOT * len(slots)) as pool:
            results = list(pool.map(book, range(PER_SLOT * len(slots))))
        raced = time.monotonic() - started

        odd = [(status, content[:300]) for _, status, _, content in results
               if status not in (201, 409)]  # fmt: skip
        assert not odd, (odd[:3], [i.lines[-40:] for i in proxy.instances])
        per_slot = [Counter(status for slot, status, *_ in results if slot == s) for s in range(5)]
        assert per_slot == [{201: 1, 409: PER_SLOT - 1}] * 5, per_slot
        winners = {email for _, status, email, _ in results if status == 201}
        assert Appointment.objects.filter(service=schedule.consultation).count() == 5
        served = [i.served("POST", "/api/v1/bookings") for i in proxy.instances]
        assert sum(served) == PER_SLOT * 5 and min(served) > 0, served

        # The task workers (one per instance, sharing the Redis queue) drain the emails.
        confirmations = OutboundEmail.objects.filter(to__in=winners)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and confirmations.exclude(status="sent").exists():
            time.sleep(0.3)
        assert sorted(confirmations.values_list("to", "status")) == sorted(
            (w, "sent") for w in winners
        )
        time.sleep(1)  # a duplicate send would land now
        sent_to = Counter(m["To"] for m in _sent_messages(tmp_path / "var" / "outbox"))
        assert {to: sent_to[to] for to in winners} == dict.fromkeys(winners, 1), sent_to
        assert not set(sent_to) & {f"race{i}@example.org" for i in range(250)} - winners

        booked = AuditEvent.objects.filter(action="appointment.booked")
        assert sorted(booked.values_list("ip", flat=True)) == [CLIENT] * 5
        print(
            f"\n2 instances + nginx up in {up:.1f} s; 250 bookings through nginx, {served} per "
            f"instance, answered in {raced:.1f} s; emails by {time.monotonic() - started:.1f} s"
        )
    finally:
        proxy.stop()
        if os.environ.get("ANNULUS_CLUSTER_LOG"):
            Path(os.environ["ANNULUS_CLUSTER_LOG"]).write_text(
                "".join(line for i in proxy.instances for line in i.lines)
            )
        redis.flushdb()
        shutil.rmtree(tmp_path / "nginx", ignore_errors=True)
