"""Reads shared by the staff home, the patient page and the alert list: bounded queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When

from annulus.safety.models import Alert


def open_alerts(clinic: Any, *, patient: Any = None, limit: int = 100) -> QuerySet[Alert]:
    """Open alerts, emergencies first, then the oldest first within a severity."""
    qs = Alert.objects.filter(clinic=clinic, acknowledged_at__isnull=True)
    if patient is not None:
        qs = qs.filter(patient=patient)
    rank = Case(
        When(severity="emergency", then=Value(0)),
        When(severity="urgent", then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        qs.select_related("patient")
        .annotate(rank=rank)
        .order_by("rank", "created_at", "id")[:limit]
    )
