"""The restore drill: back up, restore into an empty database, verify; and every refusal."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.testing import make_clinic


def _make_data() -> None:
    clinic = make_clinic()
    for n in range(3):
        record("ops.drill", ctx=AuditContext.system("test"), clinic=clinic, details={"n": n})


def _backup(tmp_path: Path) -> tuple[Path, Path]:
    call_command("backup", str(tmp_path / "backups"))
    manifests = sorted((tmp_path / "backups").glob("*.manifest.json"))
    assert len(manifests) == 1
    manifest = json.loads(manifests[0].read_text())
    return manifests[0].with_name(manifest["files"][0]["name"]), manifests[0]


def _restore(file: Path, url: str, capsys: Any) -> str:
    call_command("restore", str(file), "--database-url", url, "--verify")
    return str(capsys.readouterr().out)


def _drill(tmp_path: Path, target_url: str, capsys: Any, other_target_url: str) -> None:
    _make_data()
    data, manifest_file = _backup(tmp_path)
    manifest = json.loads(manifest_file.read_text())
    assert manifest["tables"]["accounts_clinic"] == 1
    assert manifest["audit_head"]["count"] >= 3
    assert manifest["files"][0]["sha256"]

    out = _restore(data, target_url, capsys)
    assert "Verified:" in out
    assert f"#{manifest['audit_head']['last_id']}" in out

    # Never over data: the same target again is refused, and says why.
    with pytest.raises(CommandError, match="not empty"):
        _restore(data, target_url, capsys)

    # A manifest that no longer matches the restored database fails verification.
    lying = dict(manifest, tables=dict(manifest["tables"], accounts_clinic=2))
    manifest_file.write_text(json.dumps(lying))
    with pytest.raises(CommandError, match="accounts_clinic has 1 rows, the manifest says 2"):
        _restore(manifest_file, other_target_url, capsys)


def _tamper_byte(data: Path) -> None:
    raw = bytearray(data.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    data.write_bytes(bytes(raw))


@pytest.mark.django_db(transaction=True)
def test_it_backs_up_and_restores_sqlite_and_verifies(tmp_path: Path, capsys: Any) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite drill; the PostgreSQL one is below")
    _drill(
        tmp_path,
        f"sqlite:///{tmp_path / 'restored.sqlite3'}",
        capsys,
        f"sqlite:///{tmp_path / 'restored2.sqlite3'}",
    )


@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_tampered_sqlite_backup(tmp_path: Path, capsys: Any) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    _make_data()
    data, _ = _backup(tmp_path)
    _tamper_byte(data)
    target = tmp_path / "restored.sqlite3"
    with pytest.raises(CommandError, match=r"SHA-256 .* refusing to restore"):
        _restore(data, f"sqlite:///{target}", capsys)
    assert not target.exists()


@pytest.mark.django_db(transaction=True)
def test_it_catches_an_audit_head_that_differs_from_the_backup(tmp_path: Path, capsys: Any) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    _make_data()
    data, manifest_file = _backup(tmp_path)
    manifest = json.loads(manifest_file.read_text())
    manifest["audit_head"]["last_hash"] = "0" * 64
    manifest_file.write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="audit chain broken"):
        _restore(data, f"sqlite:///{tmp_path / 'restored.sqlite3'}", capsys)


def test_it_refuses_a_backup_of_another_engine(tmp_path: Path, capsys: Any) -> None:
    data = tmp_path / "annulus-x.dump"
    data.write_bytes(b"PGDMP")
    from annulus.ops.backup import sha256_of

    manifest = {
        "engine": "postgresql",
        "files": [{"name": data.name, "sha256": sha256_of(data)}],
        "tables": {},
        "audit_head": {},
    }
    (tmp_path / "annulus-x.manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="postgresql backup restores into postgresql"):
        _restore(data, f"sqlite:///{tmp_path / 'r.sqlite3'}", capsys)


# --- PostgreSQL ---------------------------------------------------------------------------------


@pytest.fixture
def empty_pg_databases() -> Iterator[list[str]]:
    """Two freshly created empty databases on the test server, dropped afterwards."""
    import psycopg
    from psycopg import sql

    cfg = connection.settings_dict
    names = [f"annulus_ops_restore_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    params = {
        "host": cfg["HOST"] or "127.0.0.1",
        "port": cfg["PORT"] or 5432,
        "user": cfg["USER"],
        "password": cfg["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**params) as conn:
        for name in names:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    user = cfg["USER"]
    password = f":{cfg['PASSWORD']}" if cfg["PASSWORD"] else ""
    base = f"postgres://{user}{password}@{params['host']}:{params['port']}"
    try:
        yield [f"{base}/{name}" for name in names]
    finally:
        with psycopg.connect(**params) as conn:
            for name in names:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_runs_the_postgresql_restore_drill(
    tmp_path: Path, capsys: Any, empty_pg_databases: list[str]
) -> None:
    first, second = empty_pg_databases
    _drill(tmp_path, first, capsys, second)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_tampered_postgresql_dump(
    tmp_path: Path, capsys: Any, empty_pg_databases: list[str]
) -> None:
    _make_data()
    data, _ = _backup(tmp_path)
    assert data.read_bytes()[:5] == b"PGDMP"
    _tamper_byte(data)
    with pytest.raises(CommandError, match="refusing to restore"):
        _restore(data, empty_pg_databases[0], capsys)
    from annulus.ops.restore import existing_tables, target_config

    assert existing_tables(target_config(empty_pg_databases[0])) == 0


@pytest.mark.django_db(transaction=True)
def test_it_catches_a_cut_audit_tail_with_the_anchor_file(
    tmp_path: Path, capsys: Any, settings: Any
) -> None:
    """A forger who deletes the newest audit rows and rewrites the manifest to match."""
    import sqlite3

    from annulus.audit.anchor import anchor_chain_head
    from annulus.ops.backup import sha256_of, sqlite_counts_and_head

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    _make_data()
    anchor_chain_head()
    time.sleep(1.1)  # anchors keep whole seconds; this one is surely before the backup
    data, manifest_file = _backup(tmp_path)
    with sqlite3.connect(data) as db:
        triggers = db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name = 'audit_auditevent'"
        ).fetchall()
        for (name,) in triggers:
            db.execute(f'DROP TRIGGER "{name}"')
        db.execute("DELETE FROM audit_auditevent WHERE id = (SELECT max(id) FROM audit_auditevent)")
        counts, head = sqlite_counts_and_head(db)
    manifest = json.loads(manifest_file.read_text())
    manifest.update(tables=counts, audit_head=head)
    manifest["files"][0]["sha256"] = sha256_of(data)
    manifest_file.write_text(json.dumps(manifest))

    # The forged backup is self-consistent: without the anchors it verifies...
    assert "Verified:" in _restore(data, f"sqlite:///{tmp_path / 'r1.sqlite3'}", capsys)
    # ...but the anchor file kept outside the database remembers the real head.
    with pytest.raises(CommandError, match="anchored events are missing"):
        call_command(
            "restore",
            str(data),
            "--database-url",
            f"sqlite:///{tmp_path / 'r2.sqlite3'}",
            "--verify",
            "--anchors",
            settings.AUDIT_ANCHOR_PATH,
        )
