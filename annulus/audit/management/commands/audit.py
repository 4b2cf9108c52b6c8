from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annulus.audit.record import verify_chain


class Command(BaseCommand):
    help = "Audit trail tools. `annulus audit verify` checks the hash chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"Audit chain broken at event #{report.broken_id}: {report.reason} "
                f"({report.checked} earlier events verified)."
            )
        self.stdout.write(f"Audit chain intact: {report.checked} events verified.")
