from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annulus.documents.verify import verify_documents


class Command(BaseCommand):
    help = (
        "Document tools. `annulus documents verify` re-reads every stored file, compares it with "
        "the SHA-256 taken at upload and exits non-zero naming each missing or altered document."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_documents()
        for pk in report.missing:
            self.stderr.write(f"document #{pk}: stored file missing")
        for pk in report.mismatched:
            self.stderr.write(f"document #{pk}: SHA-256 mismatch (file altered since upload)")
        if not report.ok:
            raise CommandError(
                f"{len(report.missing) + len(report.mismatched)} of {report.checked} documents "
                "failed verification."
            )
        self.stdout.write(f"All {report.checked} documents match their SHA-256.")
