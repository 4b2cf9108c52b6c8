from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from annulus.lib.tasks import housekeeping
from annulus.ops import scheduler


class Command(BaseCommand):
    help = (
        "The site's one scheduler: runs housekeeping (stale tasks, alert re-sends, audit anchor) "
        "every --every seconds while it holds the site-wide lock; other schedulers stand by. "
        "`annulus serve` starts one unless --no-scheduler."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=float, default=300.0, help="seconds between runs")
        parser.add_argument("--first", type=float, default=30.0, help="seconds before the first")
        parser.add_argument(
            "--stop-after", type=float, default=None, help="exit after this many seconds (tests)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        def say(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        scheduler.run(
            max(0.1, options["every"]),
            max(0.0, options["first"]),
            housekeeping,
            say=say,
            stop_after=options["stop_after"],
        )
