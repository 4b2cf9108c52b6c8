from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annulus.audit.anchor import AnchorError, anchor_chain_head, anchor_path, verify_and_anchor


class Command(BaseCommand):
    help = (
        "Audit trail tools. `annulus audit verify` checks the MAC chain against the anchors kept "
        "outside the database and anchors the verified head; `annulus audit anchor` only anchors."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "anchor"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "anchor":
            anchor = anchor_chain_head()
            self.stdout.write(f"Anchored {anchor.count} events in {anchor_path()}.")
            return
        try:
            report = verify_and_anchor()
        except AnchorError as exc:
            raise CommandError(f"Audit anchor file unreadable: {exc}") from None
        if not report.ok:
            where = f" at event #{report.broken_id}" if report.broken_id is not None else ""
            raise CommandError(
                f"Audit chain broken{where}: {report.reason} "
                f"({report.checked} earlier events verified)."
            )
        self.stdout.write(
            f"Audit chain intact: {report.checked} events verified and anchored in {anchor_path()}."
        )
