"""`annulus backup DIR`: one consistent copy of the database plus a manifest that proves it.

PostgreSQL: `pg_dump -Fc` reading an exported snapshot, while the same snapshot counts the rows
and reads the audit chain head, so the dump and the manifest describe the same moment.
SQLite (the embedded default): the online backup API (`sqlite3.Connection.backup`), and the
counts and head read from the copy itself.

The manifest (`<name>.manifest.json` beside the data file) holds the engine, the SHA-256 and size
of the data file, the row count of every table, and the audit chain head (event count, last id,
last MAC). `annulus restore` refuses a file whose hash differs and checks the rest after restoring.
No patient data is in the manifest: table names and numbers only.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

AUDIT_TABLE = "audit_auditevent"
MANIFEST_FORMAT = 1


class BackupError(RuntimeError):
    pass


@dataclass(frozen=True)
class BackupResult:
    data_file: Path
    manifest_file: Path
    manifest: dict[str, Any]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def pg_env(cfg: dict[str, Any]) -> dict[str, str]:
    """libpq's variables for a Django database settings dict (the password never on argv)."""
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": str(cfg.get("HOST") or "127.0.0.1"),
            "PGPORT": str(cfg.get("PORT") or 5432),
            "PGUSER": str(cfg.get("USER") or ""),
            "PGDATABASE": str(cfg["NAME"]),
        }
    )
    if cfg.get("PASSWORD"):
        env["PGPASSWORD"] = str(cfg["PASSWORD"])
    return env


def pg_connect(cfg: dict[str, Any]) -> Any:
    import psycopg

    return psycopg.connect(
        host=cfg.get("HOST") or "127.0.0.1",
        port=cfg.get("PORT") or 5432,
        user=cfg.get("USER") or None,
        password=cfg.get("PASSWORD") or None,
        dbname=cfg["NAME"],
        connect_timeout=10,
    )


def pg_counts_and_head(conn: Any) -> tuple[dict[str, int], dict[str, Any]]:
    from psycopg import sql

    tables = [
        row[0]
        for row in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
    ]
    counts = {
        t: int(
            conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))).fetchone()[0]
        )
        for t in tables
    }
    return counts, _head(conn.execute, counts)


def sqlite_counts_and_head(conn: sqlite3.Connection) -> tuple[dict[str, int], dict[str, Any]]:
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    counts = {
        t: int(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0])  # noqa: S608 - names from sqlite_master
        for t in tables
    }
    return counts, _head(conn.execute, counts)


def _head(execute: Any, counts: dict[str, int]) -> dict[str, Any]:
    if AUDIT_TABLE not in counts:
        raise BackupError(f"the database has no {AUDIT_TABLE} table: run `annulus migrate` first")
    row = execute(f"SELECT id, hash FROM {AUDIT_TABLE} ORDER BY id DESC LIMIT 1").fetchone()  # noqa: S608
    return {
        "count": counts[AUDIT_TABLE],
        "last_id": int(row[0]) if row else None,
        "last_hash": str(row[1]) if row else None,
    }


def backup(directory: Path, cfg: dict[str, Any], *, now: datetime | None = None) -> BackupResult:
    """Write `annulus-<UTC time>.{dump,sqlite3}` and its manifest into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    # Before the snapshot: every audit anchor recorded before this moment is in the backup.
    started = datetime.now(UTC)
    stamp = (now or started).strftime("%Y%m%dT%H%M%S%fZ")
    engine = cfg["ENGINE"].rsplit(".", 1)[-1]
    if engine == "postgresql":
        data = directory / f"annulus-{stamp}.dump"
        counts, head = _backup_postgresql(cfg, data)
    elif engine == "sqlite3":
        data = directory / f"annulus-{stamp}.sqlite3"
        counts, head = _backup_sqlite(cfg, data)
        engine = "sqlite"
    else:
        raise BackupError(f"backups support PostgreSQL and SQLite, not {cfg['ENGINE']}")
    manifest = {
        "format": MANIFEST_FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "started_at": started.isoformat(),
        "engine": engine,
        "files": [{"name": data.name, "sha256": sha256_of(data), "bytes": data.stat().st_size}],
        "tables": counts,
        "audit_head": head,
    }
    manifest_file = directory / f"annulus-{stamp}.manifest.json"
    tmp = manifest_file.with_suffix(".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, manifest_file)
    return BackupResult(data, manifest_file, manifest)


def _backup_postgresql(cfg: dict[str, Any], data: Path) -> tuple[dict[str, int], dict[str, Any]]:
    import psycopg

    try:
        conn = pg_connect(cfg)
    except psycopg.Error as exc:
        raise BackupError(f"cannot connect to PostgreSQL: {exc}".strip()) from None
    try:
        # One REPEATABLE READ snapshot, exported to pg_dump: the dump, the counts and the head
        # all see the same committed state while the application keeps writing.
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        counts, head = pg_counts_and_head(conn)
        tmp = data.with_suffix(".partial")
        proc = subprocess.run(
            ["pg_dump", "-Fc", "--no-password", f"--snapshot={snapshot}", "-f", str(tmp)],
            env=pg_env(cfg),
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            tmp.unlink(missing_ok=True)
            raise BackupError(f"pg_dump failed: {proc.stderr.strip()}")
        os.replace(tmp, data)
    except FileNotFoundError:
        raise BackupError(
            "pg_dump is not installed (Debian: apt-get install postgresql-client)"
        ) from None
    finally:
        conn.rollback()
        conn.close()
    return counts, head


def _backup_sqlite(cfg: dict[str, Any], data: Path) -> tuple[dict[str, int], dict[str, Any]]:
    source_path = Path(str(cfg["NAME"]))
    if not source_path.exists():
        raise BackupError(f"the SQLite database {source_path} does not exist")
    tmp = data.with_suffix(".partial")
    source = sqlite3.connect(source_path, timeout=30)
    target = sqlite3.connect(tmp)
    try:
        source.backup(target)
        # A single self-contained file: no -wal beside it.
        target.execute("PRAGMA journal_mode=DELETE")
        counts, head = sqlite_counts_and_head(target)
    finally:
        target.close()
        source.close()
    os.replace(tmp, data)
    return counts, head
