from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from annulus.audit.anchor import anchor_chain_head
from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.ops import health


def test_it_answers_liveness_without_touching_the_database() -> None:
    # No db fixture: pytest-django refuses any query, so a check that used the database fails.
    # The view is async; run the client in its own thread, because the browser tests' Playwright
    # leaves an event loop in this one and Django's async_to_sync refuses to run beside it.
    with ThreadPoolExecutor(max_workers=1) as pool:
        response = pool.submit(Client().get, "/healthz").result()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {}


@pytest.mark.django_db
def test_it_reports_ready_when_every_check_passes() -> None:
    response = Client().get("/readyz", HTTP_ACCEPT="text/html")
    assert response.status_code == 200, response.content
    body = response.json()
    names = " ".join(body)
    for check in ("DatabaseWriteRead", "MigrationsApplied", "TaskQueue", "AuditAnchorFresh"):
        assert check in names
    assert set(body.values()) == {"OK"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_it_reports_not_ready_with_the_reason_when_the_queue_is_down(monkeypatch: Any) -> None:
    monkeypatch.setattr(
        "annulus.ops.tasks_backend.queue_reachable", lambda: "Redis task queue unreachable (X)"
    )
    response = Client().get("/readyz")
    assert response.status_code == 500
    assert "Redis task queue unreachable" in " ".join(response.json().values())


@pytest.mark.django_db
def test_it_finds_audit_events_left_unanchored_too_long(settings: Any) -> None:
    settings.AUDIT_ANCHOR_MAX_AGE_SECONDS = 600
    event = record("ops.test", ctx=AuditContext.system("test"))
    now = datetime.now(UTC)
    assert health.audit_anchor_problem(now) == ""  # fresh: inside the limit
    later = now + timedelta(minutes=11)
    assert f"#{event.pk}" in health.audit_anchor_problem(later)
    anchor_chain_head()
    assert health.audit_anchor_problem(later) == ""
    newer = record("ops.test", ctx=AuditContext.system("test"))
    assert f"#{newer.pk}" in health.audit_anchor_problem(later)


@pytest.mark.django_db
def test_it_names_unapplied_migrations(monkeypatch: Any) -> None:
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("m", False)])
    response = Client().get("/readyz")
    assert response.status_code == 500
    assert "1 migration(s) not applied" in " ".join(response.json().values())


def test_it_reads_the_newest_anchor_from_the_end_of_a_long_file(settings: Any) -> None:
    import json
    from pathlib import Path

    path = Path(settings.AUDIT_ANCHOR_PATH)
    lines = [
        json.dumps({"count": n, "last_id": n, "last_hash": "x", "at": ""}) for n in range(5000)
    ]
    path.write_text("\n".join(lines) + "\n")
    assert health.latest_anchored_id(tail_bytes=4096) == 4999
    path.write_text("")
    assert health.latest_anchored_id() == 0
    path.write_text("not json\n")
    with pytest.raises(ValueError):
        health.latest_anchored_id()
