"""`annulus seed_registry --patients N [--seed S] [--slug SLUG]`: a synthetic registry clinic.

Separate from the demo clinic; see ``annulus.analytics.synthetic``. Refuses in production.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from annulus.accounts.models import Clinic
from annulus.analytics.synthetic import seed_registry

USAGE_ERROR = 2


class Command(BaseCommand):
    help = "Create a separate synthetic clinic with N made-up patients and years of follow-up."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patients", type=int, required=True, metavar="N")
        parser.add_argument("--seed", type=int, default=1, metavar="S")
        parser.add_argument("--slug", default="synthetic-registry", metavar="SLUG")

    def handle(self, *args: Any, **opts: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_registry makes synthetic patients: not in production.")
        if opts["patients"] < 1:
            raise CommandError("--patients: give a number of at least 1", returncode=USAGE_ERROR)
        if Clinic.objects.filter(slug=opts["slug"]).exists():
            raise CommandError(
                f"--slug: a clinic {opts['slug']!r} exists already; choose another slug",
                returncode=USAGE_ERROR,
            )
        started = time.monotonic()
        interactive = sys.stderr.isatty()

        def progress(done: int, total: int) -> None:
            rate = done / max(time.monotonic() - started, 1e-6)
            text = f"seed_registry: {done}/{total} patients ({rate:,.0f}/s)"
            self.stderr.write(("\r" + text) if interactive else text, ending="")
            if not interactive or done == total:
                self.stderr.write("")

        clinic = seed_registry(opts["patients"], seed=opts["seed"], slug=opts["slug"],
                               progress=progress)  # fmt: skip
        if connection.vendor == "postgresql":
            # Fresh tables have no statistics: without them the planner guesses one row each.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            f"Seeded clinic {clinic.slug!r} with {opts['patients']} synthetic patients "
            f"in {time.monotonic() - started:.1f} s."
        )
