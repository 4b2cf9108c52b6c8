"""PostgreSQL roles: the owner runs migrations; the runtime role may only add to the audit trail.

The runtime role (the one `DATABASE_URL` names for `annulus serve`) gets ordinary read and write
rights on the application's tables, but on the audit table only SELECT and INSERT. Not owning
the tables, it cannot ALTER them (so it cannot disable the append-only triggers), TRUNCATE,
UPDATE or DELETE audit rows.
"""

from __future__ import annotations

import re
from typing import Any

from psycopg import sql

AUDIT_TABLE = "audit_auditevent"
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def runtime_role_statements(
    role: str, database: str, *, password: str | None, exists: bool
) -> list[Any]:
    if not _ROLE_NAME.match(role):
        raise ValueError(f"--runtime-role: {role!r} is not a plain lower-case role name")
    r = sql.Identifier(role)
    statements: list[Any] = []
    if not exists:
        statements.append(sql.SQL("CREATE ROLE {} LOGIN NOINHERIT").format(r))
    if password:
        statements.append(sql.SQL("ALTER ROLE {} PASSWORD {}").format(r, sql.Literal(password)))
    statements += [
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), r),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(r),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(
            r
        ),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(r),
        # Tables the owner creates later (new migrations) are usable too...
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
            "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
        ).format(r),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {}"
        ).format(r),
        # ...but the audit trail is insert-only.
        sql.SQL("REVOKE ALL ON TABLE {} FROM {}").format(sql.Identifier(AUDIT_TABLE), r),
        sql.SQL("GRANT SELECT, INSERT ON TABLE {} TO {}").format(sql.Identifier(AUDIT_TABLE), r),
        sql.SQL("REVOKE ALL ON TABLE django_migrations FROM {}").format(r),
        sql.SQL("GRANT SELECT ON TABLE django_migrations TO {}").format(r),
    ]
    return statements


def create_runtime_role(connection: Any, role: str, *, password: str | None = None) -> None:
    """Create (or re-grant) the runtime role; run as the owner after every `migrate`."""
    if connection.vendor != "postgresql":
        raise ValueError("database roles apply to PostgreSQL only (SQLite has no roles)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        exists = cursor.fetchone() is not None
        database = connection.settings_dict["NAME"]
        for statement in runtime_role_statements(role, database, password=password, exists=exists):
            cursor.execute(statement)
