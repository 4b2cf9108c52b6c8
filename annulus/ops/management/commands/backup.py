from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from annulus.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the database into DIR (pg_dump -Fc on PostgreSQL, the "
        "online backup API on SQLite) with a manifest: SHA-256, row counts per table, audit "
        "chain head. Restore and check it with `annulus restore`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="where the backup files go")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup(options["directory"], dict(connection.settings_dict))
        except (BackupError, OSError) as exc:
            raise CommandError(f"Backup failed: {exc}") from None
        head = result.manifest["audit_head"]
        self.stdout.write(
            f"Backup written: {result.data_file} ({len(result.manifest['tables'])} tables, "
            f"{head['count']} audit events up to #{head['last_id']}); "
            f"manifest {result.manifest_file}"
        )
