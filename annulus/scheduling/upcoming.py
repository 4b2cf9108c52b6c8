"""A patient's coming appointments, for the record and the patient list (read-only, bounded),
and their open waitlist places, for their manage page and the API.

`upcoming_for` lists one patient's next booked visits with their clinic-local labels;
`next_start` is a subquery the patient list annotates with, so the list reads every row's next
appointment in its one query (no query per patient).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import OuterRef, Subquery
from django.urls import reverse

from annulus.scheduling.links import when_label
from annulus.scheduling.models import Appointment, Status, WaitlistEntry, WaitStatus

SHOWN = 5


@dataclass(frozen=True)
class Upcoming:
    url: str
    when: str
    service: str
    mode: str
    lead: str


def upcoming_for(patient: Any, *, now: datetime, limit: int = SHOWN) -> list[Upcoming]:
    """The patient's next booked appointments (two queries whatever their number)."""
    rows = (
        Appointment.objects.filter(patient=patient, status=Status.BOOKED, start__gte=now)
        .select_related("service", "location")
        .prefetch_related("occupancies__resource")
        .order_by("start")[:limit]
    )
    out = []
    for a in rows:
        leads = [o.resource.name for o in a.occupancies.all() if o.role_position == 0]
        out.append(
            Upcoming(
                url=reverse("scheduling_staff:appointment", args=[a.pk]),
                when=when_label(a.start, a.location.zone),
                service=a.service.name,
                mode=a.get_mode_display(),
                lead=leads[0] if leads else "",
            )
        )
    return out


def next_start(now: datetime) -> Subquery:
    """The start of the patient's (OuterRef "pk") next booked appointment, or NULL."""
    return Subquery(
        Appointment.objects.filter(patient=OuterRef("pk"), status=Status.BOOKED, start__gte=now)
        .order_by("start")
        .values("start")[:1]
    )


def open_waitlist_places(patient: Any) -> list[WaitlistEntry]:
    """The patient's places on waitlists (waiting, or holding an offer), oldest first."""
    return list(
        WaitlistEntry.objects.filter(
            patient=patient, status__in=[WaitStatus.WAITING, WaitStatus.OFFERED]
        ).select_related("service")
    )
