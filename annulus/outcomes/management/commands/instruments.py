"""`annulus instruments`: list the questionnaires and their licence status; install licensed text.

    annulus instruments                     every instrument, its version, licence and status here
    annulus instruments install FILE.yaml   a clinic's licensed text, or a PROMIS/EQ-5D table

A refused file prints every problem with its path in the file and exits with status 1; nothing
is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annulus.outcomes import library
from annulus.outcomes.catalog import InstrumentFileError, list_instruments
from annulus.outcomes.installs import InstallError, install_file


class Command(BaseCommand):
    help = "List questionnaires with their licence status, or install a clinic's licensed text."
    # Django's system checks import every URLconf and view (most of the start-up) and have nothing
    # to say about instrument files. `annulus check` runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", choices=["list", "install"], default="list")
        parser.add_argument("file", nargs="?", help="with install: the YAML file to install")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "install":
            if not options["file"]:
                raise CommandError("Say which file: annulus instruments install FILE.yaml")
            self._install(Path(options["file"]))
            return
        if options["file"]:
            raise CommandError("A file is only taken by: annulus instruments install FILE.yaml")
        self._list()

    def _list(self) -> None:
        try:
            instruments = list_instruments()
        except InstrumentFileError as exc:  # a shipped file broken by hand
            raise CommandError(str(exc)) from None
        rows = [("ID", "VERSION", "LICENCE", "HERE", "TITLE")]
        for instrument in instruments:
            status = library.availability(instrument.id).status
            rows.append(
                (
                    instrument.id,
                    instrument.version,
                    instrument.licence.status,
                    status,
                    instrument.title,
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for row in rows:
            cells = [cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True)]
            self.stdout.write("  ".join([*cells, row[4]]).rstrip())

    def _install(self, path: Path) -> None:
        try:
            installed = install_file(path)
        except InstallError as exc:
            for problem in exc.problems:
                self.stderr.write(f"{exc.source}: {problem}")
            raise CommandError(
                f"{exc.source}: refused ({len(exc.problems)} problem"
                f"{'s' if len(exc.problems) != 1 else ''}); nothing was installed."
            ) from None
        verb = "Replaced" if installed.replaced else "Installed"
        self.stdout.write(
            f"{verb} the {installed.what} for {installed.instrument_id} "
            f"version {installed.version} from {path}."
        )
