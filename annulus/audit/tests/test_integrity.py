"""H1: a keyed MAC chain, anchored outside the database, that the table's owner cannot rewrite."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from annulus.audit import triggers
from annulus.audit.anchor import anchor_chain_head, read_anchors, verify_and_anchor
from annulus.audit.keys import AuditKeyError, AuditKeys, load_keys
from annulus.audit.models import GENESIS_HASH, AuditEvent
from annulus.audit.record import record, verify_chain

pytestmark = pytest.mark.django_db

ROW = ("at", "actor_id", "clinic_id", "patient_id", "action", "object_type", "object_id",
       "outcome", "ip", "request_id", "details", "prev_hash", "hash", "key_id")  # fmt: skip


def rows() -> list[dict[str, object]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {', '.join(ROW)} FROM audit_auditevent ORDER BY id")  # noqa: S608
        return [dict(zip(("id", *ROW), r, strict=True)) for r in cursor.fetchall()]


def rewrite_without_key(delete_ids: set[int]) -> None:
    """The probe's attack: drop triggers, delete rows, recompute every hash as plain SHA-256."""
    triggers.remove(connection)
    prev = GENESIS_HASH
    with connection.cursor() as cursor:
        for row in rows():
            if row["id"] in delete_ids:
                cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [row["id"]])
                continue
            event = AuditEvent.objects.get(pk=row["id"])
            event.prev_hash, event.key_id = prev, ""
            forged = event.compute_hash()
            cursor.execute(
                "UPDATE audit_auditevent SET prev_hash = %s, hash = %s, key_id = '' WHERE id = %s",
                [prev, forged, row["id"]],
            )
            prev = forged


def test_new_events_carry_an_hmac_not_a_plain_hash():
    event = record("test.keyed")
    assert event.key_id
    canonical = json.dumps(event.content(), sort_keys=True, separators=(",", ":"), default=str)
    assert event.hash != hashlib.sha256(canonical.encode()).hexdigest()
    assert verify_chain().ok


def test_recomputing_the_chain_without_the_key_is_detected(settings):
    settings.AUDIT_LEGACY_UNTIL = 0  # as in production, where no legacy rows were declared
    events = [record("test.event", details={"n": i}) for i in range(4)]
    denied = record("auth.denied", outcome="denied")
    events.append(record("test.event", details={"n": 5}))
    rewrite_without_key({denied.pk})
    report = verify_chain()
    assert not report.ok
    assert report.broken_id == events[0].pk
    assert "unkeyed" in report.reason


def test_recomputing_with_a_wrong_key_is_detected(settings):
    record("test.event")
    real = settings.AUDIT_KEYS
    settings.AUDIT_KEYS = AuditKeys(current=real.current, keys={real.current: b"x" * 40})
    report = verify_chain()
    assert report.broken_id is not None
    assert "MAC" in report.reason


def test_legacy_unkeyed_rows_still_verify_and_keyed_rows_follow_them(settings):
    triggers.remove(connection)
    legacy = AuditEvent(at=record("seed").at, action="legacy.event", prev_hash=GENESIS_HASH)
    # Rebuild the table as an older release wrote it: unkeyed SHA-256 rows.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
    legacy.hash = legacy.compute_hash()
    AuditEvent.objects.bulk_create([legacy])
    triggers.install(connection)
    keyed = record("test.after_upgrade")
    assert keyed.prev_hash == legacy.hash and keyed.key_id
    assert verify_chain().ok
    assert verify_chain().checked == 2
    settings.AUDIT_LEGACY_UNTIL = legacy.pk
    assert verify_chain().ok
    settings.AUDIT_LEGACY_UNTIL = 0
    assert verify_chain().broken_id == legacy.pk


def test_rotated_keys_keep_old_events_verifiable(settings):
    first = record("test.old_key")
    old = settings.AUDIT_KEYS
    new_secret = b"n" * 48
    settings.AUDIT_KEYS = AuditKeys(current="k2026", keys={**old.keys, "k2026": new_secret})
    second = record("test.new_key")
    assert (first.key_id, second.key_id) == (old.current, "k2026")
    assert verify_chain().ok
    settings.AUDIT_KEYS = AuditKeys(current="k2026", keys={"k2026": new_secret})
    report = verify_chain()
    assert report.broken_id == first.pk and "not loaded" in report.reason


def test_deleting_the_newest_rows_is_caught_by_the_anchor(capsys):
    events = [record("test.event", details={"n": i}) for i in range(5)]
    call_command("audit", "verify")
    assert "5 events verified" in capsys.readouterr().out
    assert read_anchors()[events[-1].pk].count == 5
    triggers.remove(connection)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id >= %s", [events[3].pk])
    # The chain itself is still a valid chain of 3 events: only the anchor knows better.
    assert verify_chain().ok
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify")
    message = str(failure.value)
    assert "anchored events are missing" in message
    assert f"#{events[3].pk} to #{events[4].pk}" in message
    assert "recorded 5 events" in message


def test_a_rewritten_chain_contradicts_its_anchor():
    for i in range(3):
        record("test.event", details={"n": i})
    anchor_chain_head()
    triggers.remove(connection)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
    triggers.install(connection)
    # A fresh chain with the same ids, even signed with the real key, does not match the anchor.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sqlite_sequence WHERE name = 'audit_auditevent'") if (
            connection.vendor == "sqlite"
        ) else None
    for i in range(3):
        record("test.forged", details={"n": i})
    report = verify_and_anchor()
    assert not report.ok
    assert "anchor" in report.reason


def test_the_anchor_file_is_appended_to(settings):
    record("test.event")
    anchor_chain_head()
    record("test.event")
    anchor_chain_head()
    with open(settings.AUDIT_ANCHOR_PATH) as handle:
        lines = [json.loads(line) for line in handle]
    assert [line["count"] for line in lines] == [1, 2]


def test_production_requires_a_key(tmp_path):
    with pytest.raises(AuditKeyError, match="ANNULUS_AUDIT_KEY"):
        load_keys({}, production=True, secret_key="s" * 60)
    with pytest.raises(AuditKeyError, match="at least 32"):
        load_keys({"ANNULUS_AUDIT_KEY": "short"}, production=True, secret_key="s")
    keyfile = tmp_path / "audit.keys"
    keyfile.write_text(f"# oldest first\nk2025:{'a' * 40}\nk2026:{'b' * 40}\n")
    keys = load_keys({"ANNULUS_AUDIT_KEY_FILE": str(keyfile)}, production=True, secret_key="s")
    assert keys.current == "k2026"
    assert keys.secret("k2025") == b"a" * 40
