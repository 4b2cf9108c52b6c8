"""H1/G4: the runtime role cannot rewrite the audit trail (PostgreSQL)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from annulus.audit.models import AuditEvent
from annulus.audit.record import record

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

ROLE = "annulus_rt_test"

REFUSED = [
    "UPDATE audit_auditevent SET action = 'x'",
    "DELETE FROM audit_auditevent",
    "TRUNCATE audit_auditevent",
    "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
    "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_no_change",
    "DROP TRIGGER audit_no_change ON audit_auditevent",
]


def test_the_runtime_role_may_only_insert_and_read_the_audit_trail():
    # Everything happens inside the test's transaction: the role vanishes with its rollback.
    event = record("test.before")
    call_command("db_roles", "--runtime-role", ROLE)
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {ROLE}")
        try:
            for statement in REFUSED:
                with (
                    pytest.raises(DatabaseError, match=r"must be owner|permission denied"),
                    transaction.atomic(),
                ):
                    cursor.execute(statement)
            # What the application needs still works as the runtime role.
            added = record("test.as_runtime_role")
            assert AuditEvent.objects.filter(pk__in=[event.pk, added.pk]).count() == 2
            cursor.execute("SELECT count(*) FROM accounts_clinic")
        finally:
            cursor.execute("RESET ROLE")


def test_it_refuses_a_role_name_that_is_not_plain():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="runtime-role"):
        call_command("db_roles", "--runtime-role", "x; DROP TABLE y")
