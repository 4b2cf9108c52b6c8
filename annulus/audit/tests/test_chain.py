from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from annulus.audit import triggers
from annulus.audit.models import GENESIS_HASH, AuditEvent
from annulus.audit.record import record, verify_chain

pytestmark = pytest.mark.django_db


def make_events(n: int) -> list[AuditEvent]:
    return [record("test.event", details={"n": i}) for i in range(n)]


def tamper(sql: str, params: list[object]) -> None:
    """Edit the table behind the model's back, as an attacker with database access would."""
    triggers.remove(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_it_links_each_event_to_the_previous_one():
    first, second, third = make_events(3)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert verify_chain().ok
    assert verify_chain().checked == 3


def test_it_names_the_first_edited_row():
    events = make_events(4)
    tamper("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["nothing.here", events[1].pk])
    report = verify_chain()
    assert report.broken_id == events[1].pk
    assert "content" in report.reason


def test_it_notices_a_deleted_row():
    events = make_events(4)
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk])
    report = verify_chain()
    assert report.broken_id == events[3].pk
    assert "link" in report.reason


def test_the_command_passes_and_fails(capsys):
    events = make_events(2)
    call_command("audit", "verify")
    assert "2 events verified" in capsys.readouterr().out
    tamper("UPDATE audit_auditevent SET details = %s WHERE id = %s", ['{"n": 99}', events[0].pk])
    with pytest.raises(CommandError, match=f"broken at event #{events[0].pk}"):
        call_command("audit", "verify")


def test_the_model_refuses_updates_and_deletes():
    event = make_events(1)[0]
    event.action = "changed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(action="x")


def test_the_database_refuses_updates_and_deletes():
    event = make_events(1)[0]
    for sql in ("UPDATE audit_auditevent SET action = 'x' WHERE id = %s",
                "DELETE FROM audit_auditevent WHERE id = %s"):  # fmt: skip
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            connection.cursor().execute(sql, [event.pk])
    assert verify_chain().ok


def test_it_rolls_back_with_the_action_it_describes():
    with pytest.raises(RuntimeError), transaction.atomic():
        record("test.rolled_back")
        raise RuntimeError("the action failed")
    assert not AuditEvent.objects.filter(action="test.rolled_back").exists()
