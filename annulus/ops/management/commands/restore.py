from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annulus.ops.restore import RestoreError, restore, verify_in_subprocess


class Command(BaseCommand):
    help = (
        "Restore a backup made by `annulus backup` into an EMPTY database (never over data). "
        "With --verify, check the row counts and the audit chain against the manifest and run "
        "smoke checks; any mismatch exits non-zero with the reason."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the backup's data file or its manifest")
        parser.add_argument("--database-url", required=True, help="the empty target database")
        parser.add_argument("--verify", action="store_true")
        parser.add_argument(
            "--anchors",
            type=Path,
            help="with --verify: the audit anchor file (ANNULUS_AUDIT_ANCHOR) whose heads up to "
            "the backup's must all be in the restored chain",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        url = options["database_url"]
        try:
            manifest_file, manifest = restore(options["file"], url)
        except (RestoreError, OSError) as exc:
            raise CommandError(f"Restore refused: {exc}") from None
        self.stdout.write(f"Restored {manifest['files'][0]['name']} into the target database.")
        if options["verify"]:
            ok, output = verify_in_subprocess(manifest_file, url, options["anchors"])
            if not ok:
                raise CommandError(output or "Restore verification failed")
            self.stdout.write(output)
