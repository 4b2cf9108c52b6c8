"""`annulus outcomes-report`: the clinic's outcomes beside the evidence.

    annulus outcomes-report [--arm A] [--treated-from D] [--treated-to D] [--clinic SLUG]
                            [--format text|json|csv|pdf] [--output FILE]

JSON follows the contract in ``annulus.analytics.report``. PDF needs --output. Bad arguments
exit with status 2 and name the option. Each run is audited (filters and format only).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annulus.accounts.models import Clinic
from annulus.analytics import render
from annulus.analytics.actions import audit_report
from annulus.analytics.queries import ARMS, Filters
from annulus.analytics.report import build_report
from annulus.audit.context import AuditContext

USAGE_ERROR = 2
FORMATS = ("text", "json", "csv", "pdf")


def _day(option: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"{option}: write the day as YYYY-MM-DD (got {value!r})", returncode=USAGE_ERROR
        ) from None


class Command(BaseCommand):
    help = "The outcomes report: cohorts by arm, responders with intervals, survival, benchmarks."
    # A read-only report: the system checks import every URLconf and view (seconds of start-up)
    # and have nothing to say about it. `annulus check` runs them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--arm", metavar="A", help=f"one of {', '.join(ARMS)}")
        parser.add_argument("--treated-from", metavar="YYYY-MM-DD")
        parser.add_argument("--treated-to", metavar="YYYY-MM-DD")
        parser.add_argument("--clinic", metavar="SLUG", help="one clinic (default: all)")
        parser.add_argument("--format", default="text", metavar="FORMAT",
                            help="text, json, csv or pdf")  # fmt: skip
        parser.add_argument("--output", "-o", metavar="FILE", help="write here, not stdout")
        parser.add_argument("--on", metavar="YYYY-MM-DD", help="report day (default: today)")

    def handle(self, *args: Any, **opts: Any) -> None:
        fmt = opts["format"]
        if fmt not in FORMATS:
            raise CommandError(
                f"--format: choose text, json, csv or pdf (got {fmt!r})", returncode=USAGE_ERROR
            )
        arm = opts["arm"]
        if arm is not None and arm not in ARMS:
            raise CommandError(
                f"--arm: choose one of {', '.join(ARMS)} (got {arm!r})", returncode=USAGE_ERROR
            )
        start = _day("--treated-from", opts["treated_from"])
        end = _day("--treated-to", opts["treated_to"])
        if start and end and start > end:
            raise CommandError("--treated-from: must not be after --treated-to", returncode=2)
        if fmt == "pdf" and not opts["output"]:
            raise CommandError("--output: a PDF needs a file to go to", returncode=USAGE_ERROR)
        clinic = None
        if opts["clinic"]:
            clinic = Clinic.objects.filter(slug=opts["clinic"]).first()
            if clinic is None:
                raise CommandError(f"--clinic: no clinic {opts['clinic']!r}", returncode=2)
        today = _day("--on", opts["on"]) or render.today_for(clinic)
        filters = Filters(clinic_id=clinic.pk if clinic else None, arm=arm, treated_from=start,
                          treated_to=end)  # fmt: skip
        report = build_report(filters, today)
        audit_report(report, fmt=fmt, ctx=AuditContext.system("outcomes-report"), user=None,
                     clinic=clinic)  # fmt: skip
        if fmt == "pdf":
            Path(opts["output"]).write_bytes(render.pdf(report))
            return
        if fmt == "json":
            text = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
        elif fmt == "csv":
            text = render.csv_text(report)
        else:
            text = render.text(report)
        if opts["output"]:
            Path(opts["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
