"""`annulus alerts [--open] [--format text|json] [--resend-due]`: list alerts; run the re-send."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from annulus.safety.actions import resend_due_alerts
from annulus.safety.models import Alert


def as_json(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.pk,
        "patient_id": alert.patient_id,
        "severity": alert.severity,
        "source": alert.source,
        "code": alert.code,
        "created_at": alert.created_at.isoformat(),
        "acknowledged_at": alert.acknowledged_at.isoformat() if alert.acknowledged_at else None,
    }


class Command(BaseCommand):
    help = "List alerts (no names: ids and codes only). --resend-due runs the 15/30-minute step."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--open", action="store_true", help="Only unacknowledged alerts.")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--resend-due",
            action="store_true",
            help="Send unacknowledged emergency alerts again (15 min) or escalate them (30 min).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["resend_due"]:
            moved = resend_due_alerts(datetime.now(UTC))
            self.stderr.write(f"{len(moved)} alert(s) sent again or escalated.")
        alerts = Alert.objects.order_by("-created_at", "-id")
        if options["open"]:
            alerts = alerts.filter(acknowledged_at__isnull=True)
        rows = [as_json(a) for a in alerts]
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, indent=2))
            return
        if not rows:
            self.stdout.write("No alerts.")
        for row in rows:
            state = f"acknowledged {row['acknowledged_at']}" if row["acknowledged_at"] else "OPEN"
            self.stdout.write(
                f"#{row['id']:<5} {row['severity']:<9} {row['source']:<11} {row['code']:<34} "
                f"patient {row['patient_id']:<6} {row['created_at']}  {state}"
            )
