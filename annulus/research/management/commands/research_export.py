"""`annulus research-export DIR [--format csv|parquet] [--clinic SLUG]`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annulus.audit.context import AuditContext
from annulus.research.actions import ExportBlocked, run_research_export


class Command(BaseCommand):
    help = "Write the de-identified (HIPAA Safe Harbor) research tables and data dictionary."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dir", type=Path)
        parser.add_argument("--format", choices=["csv", "parquet"], default="csv")
        parser.add_argument("--clinic", metavar="SLUG", help="Required when there are several")

    def handle(self, *args: Any, **options: Any) -> None:
        from annulus.accounts.models import Clinic

        clinics = Clinic.objects.all()
        if options["clinic"]:
            clinics = clinics.filter(slug=options["clinic"])
        if clinics.count() != 1:
            raise CommandError("--clinic: name one clinic by its slug")
        clinic = clinics.get()
        folder: Path = options["dir"]
        if folder.exists() and any(folder.iterdir()):
            raise CommandError(f"dir: {folder} is not empty; choose a new folder")
        try:
            result = run_research_export(
                actor=None,
                ctx=AuditContext.system("research-export"),
                clinic=clinic,
                folder=folder,
                fmt=options["format"],
            )
        except ExportBlocked as blocked:
            for finding in blocked.findings[:20]:
                self.stderr.write(f"  {finding}")
            raise CommandError(
                f"The Safe Harbor checker stopped the export ({len(blocked.findings)} findings); "
                "nothing was written."
            ) from blocked
        self.stdout.write("Checker: no identifiers found.")
        for path in result.files:
            rows = result.run.row_counts.get(path.stem)
            self.stdout.write(f"  {path.name:<28} {'' if rows is None else rows}")
        self.stdout.write(f"Wrote {len(result.files)} files into {folder}")
