"""Database triggers that make the audit table append-only, whatever code (or person) tries.

Installed by migration 0002 and re-checked after every `migrate`/`flush` (post_migrate), so a
database that lost them (a restore, a test flush) gets them back.
"""

from __future__ import annotations

from typing import Any

INSTALL = {
    "sqlite": [
        """CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit_auditevent
           BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
        """CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit_auditevent
           BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    ],
    "postgresql": [
        """CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$ LANGUAGE plpgsql""",
        "DROP TRIGGER IF EXISTS audit_no_change ON audit_auditevent",
        """CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit_auditevent
           FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()""",
        # TRUNCATE skips row triggers; refuse it with a statement trigger.
        "DROP TRIGGER IF EXISTS audit_no_truncate ON audit_auditevent",
        """CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_auditevent
           FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()""",
    ],
}
REMOVE = {
    "sqlite": ["DROP TRIGGER IF EXISTS audit_no_update", "DROP TRIGGER IF EXISTS audit_no_delete"],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_no_truncate ON audit_auditevent",
        "DROP TRIGGER IF EXISTS audit_no_change ON audit_auditevent",
        "DROP FUNCTION IF EXISTS audit_refuse_change()",
    ],
}


def install(connection: Any) -> None:
    with connection.cursor() as cursor:
        for statement in INSTALL.get(connection.vendor, []):
            cursor.execute(statement)


def remove(connection: Any) -> None:
    """Only for wiping a test database: production never calls this."""
    with connection.cursor() as cursor:
        for statement in REMOVE.get(connection.vendor, []):
            cursor.execute(statement)
