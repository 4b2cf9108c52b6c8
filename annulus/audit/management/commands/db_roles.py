from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from annulus.audit.roles import create_runtime_role


class Command(BaseCommand):
    help = (
        "PostgreSQL only: create or refresh the runtime role (all app tables read/write, the audit "
        "table SELECT and INSERT only). Run as the owner role after `annulus migrate`. The "
        "password comes from ANNULUS_RUNTIME_DB_PASSWORD when set."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runtime-role", required=True, help="e.g. annulus_app")

    def handle(self, *args: Any, **options: Any) -> None:
        role = options["runtime_role"]
        try:
            with transaction.atomic():
                create_runtime_role(
                    connection, role, password=os.environ.get("ANNULUS_RUNTIME_DB_PASSWORD")
                )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Role {role} may read and write the application's tables and only INSERT and "
            "SELECT the audit trail. Point the running service's DATABASE_URL at it."
        )
