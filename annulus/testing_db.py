"""A migrated SQLite test database, built once and copied per test process.

Each pytest-xdist worker used to migrate its own test database: about 12 CPU-s each, most of it
Django rendering the migration states of ~90 migrations. Here the first process to get the lock
migrates as before and saves a copy of the result (the template) beside the test database; every
other process, in this pass or a later one, copies the template and runs `migrate` on it, which
finds nothing to apply but still sends post_migrate (triggers, cache table, permissions).

The template's name carries a hash of everything that shapes the migrated schema (every installed
app's migration files, the audit triggers the migrations install, the settings, Django's and
SQLite's versions), so a changed migration builds a new one; `pytest --create-db` forces it.
PostgreSQL keeps pytest-django's own set-up (`make postgres` passes --create-db anyway).

`snapshot` and `restore_snapshot` copy a whole test database to a file and back with SQLite's
online backup: the conftest seeds the demo once per pass and gives each module that needs it
a copy (`demo_snapshot`, `demo_seeded_once`). `files_under` and `copy_files` carry the files the
seed writes (consent PDFs) from the worker that seeded to the others.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TypeVar

import django
from django.apps import apps
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

TEMPLATE_GLOB = "test-template-*"  # templates and their .run stamps; not the .lock
Config = TypeVar("Config")


def schema_key() -> str:
    """A short hash of the inputs that decide what `migrate` builds."""
    import annulus.audit.triggers
    import annulus.settings

    digest = hashlib.sha256()
    digest.update(f"django {django.__version__} sqlite {sqlite3.sqlite_version}".encode())
    sources = [Path(str(annulus.audit.triggers.__file__)), Path(str(annulus.settings.__file__))]
    for config in apps.get_app_configs():
        sources.extend(sorted(Path(config.path).glob("migrations/*.py")))
    for source in sources:
        digest.update(str(source).encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def sqlite_test_name(alias: str = "default") -> str | None:
    """The test database file for `alias` when it is an on-disk SQLite database, else None."""
    connection = connections[alias]
    if connection.vendor != "sqlite":
        return None
    name: str = connection.creation._get_test_db_name()  # type: ignore[attr-defined]
    if connection.creation.is_in_memory_db(name):  # type: ignore[attr-defined]
        return None
    return name


TEMPLATE_LOCK = "test-template.lock"


@contextmanager
def locked(folder: Path, name: str = TEMPLATE_LOCK) -> Iterator[None]:
    """One process at a time builds or reads the template (an advisory lock, freed on exit)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / name, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def remove_with_journals(path: Path) -> None:
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        leftover.unlink(missing_ok=True)


def restore(template: Path, test_name: str) -> None:
    """Put a copy of the template where this process's test database goes."""
    target = Path(test_name)
    remove_with_journals(target)
    partial = target.with_name(target.name + ".partial")
    shutil.copyfile(template, partial)
    os.replace(partial, target)


def save(test_name: str, template: Path) -> None:
    """Keep the freshly migrated test database as the template (and drop outdated ones)."""
    connections.close_all()
    with closing(sqlite3.connect(test_name)) as db:
        # WAL mode: fold the write-ahead log into the main file so one file is the whole database.
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for old in template.parent.glob(TEMPLATE_GLOB):
        old.unlink()  # templates of older migrations, and this one's stamp
    partial = template.with_name(template.name + ".partial")
    shutil.copyfile(test_name, partial)
    os.replace(partial, template)


def template_for(test_name: str) -> Path:
    return Path(test_name).parent / f"test-template-{schema_key()}.sqlite3"


def set_up_from_template(
    test_name: str, *, rebuild: bool, run_id: str, setup: Callable[[bool], Config]
) -> Config:
    """Set up this process's test database from the template, building the template first if
    there is none yet (or `rebuild` is asked and no process of this pass has rebuilt it yet).

    `setup(keepdb)` is Django's `setup_databases`: with keepdb=False it creates and migrates the
    database from nothing; with keepdb=True it runs `migrate` on the copy already in place.
    """
    template = template_for(test_name)
    built_by = Path(f"{template}.run")
    with locked(template.parent):
        stale = rebuild and not (built_by.exists() and built_by.read_text() == run_id)
        if stale or not template.exists():
            config = setup(False)
            save(test_name, template)
            built_by.write_text(run_id)
            return config
        restore(template, test_name)
    # The copy is migrated already: `migrate` finds nothing to apply and still sends post_migrate
    # (audit triggers, cache table, permissions), as on any deploy.
    return setup(True)


def copy_migrated(test_name: str, target: Path) -> bool:
    """Copy this pass's migrated template to `target` (a fresh, empty database for a server under
    test); False when there is none (PostgreSQL, --reuse-db, --no-migrations).
    """
    template = template_for(test_name)
    with locked(template.parent):
        if not template.exists():
            return False
        restore(template, str(target))
    return True


def snapshot(connection: BaseDatabaseWrapper, path: Path) -> None:
    """Copy the whole SQLite database behind `connection` into the file `path` (SQLite's online
    backup: page by page, in milliseconds for the test database). No transaction may be open.
    """
    remove_with_journals(path)
    connection.ensure_connection()
    with closing(sqlite3.connect(path)) as target:
        connection.connection.backup(target)


def restore_snapshot(path: Path, connection: BaseDatabaseWrapper) -> None:
    """Make the database behind `connection` a copy of the file `path` (see `snapshot`)."""
    assert not connection.in_atomic_block, "a snapshot is restored between transactions"
    connection.ensure_connection()
    with closing(sqlite3.connect(path)) as source:
        source.backup(connection.connection)


FileStamps = dict[Path, tuple[int, int]]


def files_under(folder: Path) -> FileStamps:
    """Every file below `folder` (relative path) with its modification time and size."""
    stamps: FileStamps = {}
    for path in folder.rglob("*"):
        if path.is_file():
            stat = path.stat()
            stamps[path.relative_to(folder)] = (stat.st_mtime_ns, stat.st_size)
    return stamps


def copy_files(source: Path, target: Path, names: Iterable[Path]) -> None:
    """Copy the files `names` (relative paths) from the folder `source` into the folder `target`."""
    for name in names:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / name, target / name)
