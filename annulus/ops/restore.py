"""`annulus restore FILE --database-url URL [--verify]`: restore a backup into an EMPTY database.

Steps, each of which stops with the reason:
1. read the manifest beside FILE (or FILE is the manifest) and check the data file's SHA-256;
2. refuse a target database that already has tables (a restore never overwrites);
3. restore (`pg_restore --single-transaction --exit-on-error`, or SQLite's backup API);
4. with `--verify`, run `annulus verify-restore` in a fresh process pointed at the target
   (`DATABASE_URL=URL`): row counts per table against the manifest, the audit chain against its
   head, and smoke checks (migrations applied, one row of every model read through the ORM).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import dj_database_url

from annulus.ops.backup import pg_connect, pg_env, sha256_of


class RestoreError(RuntimeError):
    pass


def load_manifest(file: Path) -> tuple[Path, Path, dict[str, Any]]:
    """(data file, manifest file, manifest) for a data file or its manifest."""
    if file.name.endswith(".manifest.json"):
        manifest_file = file
    else:
        manifest_file = file.with_name(file.name.rsplit(".", 1)[0] + ".manifest.json")
    if not manifest_file.exists():
        raise RestoreError(f"no manifest {manifest_file.name} beside the backup")
    try:
        manifest = json.loads(manifest_file.read_text())
        entry = manifest["files"][0]
        data = manifest_file.with_name(entry["name"])
        expected = entry["sha256"]
        if {"tables", "audit_head", "engine"} - set(manifest):
            raise KeyError("tables")
    except (ValueError, KeyError, IndexError, TypeError):
        raise RestoreError(f"{manifest_file.name} is not a backup manifest") from None
    if not data.exists():
        raise RestoreError(f"the data file {data.name} named by the manifest is missing")
    actual = sha256_of(data)
    if actual != expected:
        raise RestoreError(
            f"{data.name} has SHA-256 {actual[:16]}…, the manifest says {expected[:16]}…: "
            "the file is damaged or was altered; refusing to restore it"
        )
    return data, manifest_file, manifest


def target_config(url: str) -> dict[str, Any]:
    try:
        cfg: dict[str, Any] = dict(dj_database_url.parse(url))
    except ValueError as exc:
        raise RestoreError(f"--database-url is not a database URL: {exc}") from None
    return cfg


def _engine(cfg: dict[str, Any]) -> str:
    name = cfg["ENGINE"].rsplit(".", 1)[-1]
    return "sqlite" if name == "sqlite3" else name


def existing_tables(cfg: dict[str, Any]) -> int:
    if _engine(cfg) == "sqlite":
        path = Path(str(cfg["NAME"]))
        if not path.exists() or path.stat().st_size == 0:
            return 0
        with sqlite3.connect(path) as conn:
            return int(conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])
    import psycopg

    try:
        with pg_connect(cfg) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') "
                "AND n.nspname NOT LIKE 'pg_toast%' AND c.relkind IN ('r', 'v', 'm', 'S', 'p')"
            ).fetchone()
    except psycopg.Error as exc:
        raise RestoreError(f"cannot connect to the target database: {exc}".strip()) from None
    return int(row[0])


def restore(file: Path, url: str) -> tuple[Path, dict[str, Any]]:
    """Check and restore; return the manifest file and manifest. Raises RestoreError."""
    data, manifest_file, manifest = load_manifest(file)
    cfg = target_config(url)
    engine = _engine(cfg)
    if engine != manifest["engine"]:
        raise RestoreError(
            f"a {manifest['engine']} backup restores into {manifest['engine']}, not {engine}"
        )
    found = existing_tables(cfg)
    if found:
        raise RestoreError(
            f"the target database is not empty ({found} tables or other objects): a restore "
            "never writes over data; create an empty database and point --database-url at it"
        )
    if engine == "sqlite":
        target_path = Path(str(cfg["NAME"]))
        target_path.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(data)
        target = sqlite3.connect(target_path)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    elif engine == "postgresql":
        command = [
            "pg_restore",
            "--no-password",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "-d",
            str(cfg["NAME"]),
            str(data),
        ]
        try:
            proc = subprocess.run(
                command, env=pg_env(cfg), capture_output=True, text=True, check=False
            )
        except FileNotFoundError:
            raise RestoreError(
                "pg_restore is not installed (Debian: apt-get install postgresql-client)"
            ) from None
        if proc.returncode != 0:
            raise RestoreError(f"pg_restore failed, nothing was restored: {proc.stderr.strip()}")
    else:
        raise RestoreError(f"restores support PostgreSQL and SQLite, not {cfg['ENGINE']}")
    return manifest_file, manifest


def verify_in_subprocess(
    manifest_file: Path, url: str, anchors_file: Path | None = None
) -> tuple[bool, str]:
    """Run `annulus verify-restore` against URL in a fresh process; (ok, its output)."""
    env = dict(os.environ, DATABASE_URL=url)
    command = [sys.executable, "-m", "annulus.cli", "verify-restore", str(manifest_file)]
    if anchors_file is not None:
        command += ["--anchors", str(anchors_file)]
    proc = subprocess.run(
        command,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return proc.returncode == 0, (proc.stdout + proc.stderr).strip()
