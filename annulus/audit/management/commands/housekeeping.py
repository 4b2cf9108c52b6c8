from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from annulus.lib.tasks import housekeeping


class Command(BaseCommand):
    help = (
        "Requeue (once) background tasks whose worker died and anchor the audit chain's head. "
        "`annulus serve` runs it every 5 minutes; run it from a timer when workers run elsewhere."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(housekeeping())
