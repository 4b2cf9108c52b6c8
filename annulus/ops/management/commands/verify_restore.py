from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annulus.ops.verify import verify_restored


class Command(BaseCommand):
    help = (
        "Check the database at DATABASE_URL against a backup manifest: row counts, the audit "
        "chain against its head, smoke checks. `annulus restore --verify` runs it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("manifest", type=Path)
        parser.add_argument("--anchors", type=Path, help="the audit anchor file to check against")

    def handle(self, *args: Any, **options: Any) -> None:
        manifest = json.loads(options["manifest"].read_text())
        problems = verify_restored(manifest, options["anchors"])
        if problems:
            raise CommandError("Restore verification failed: " + "; ".join(problems))
        head = manifest["audit_head"]
        self.stdout.write(
            f"Verified: {len(manifest['tables'])} tables match the manifest's row counts, the "
            f"audit chain is intact up to #{head['last_id']} ({head['count']} events), smoke "
            "checks passed."
        )
