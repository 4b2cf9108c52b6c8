"""A small clinic schedule for tests: one location in Chicago, two clinicians, a procedure room.

Hours: clinicians Monday–Friday 09:00–12:00 and 13:00–17:00; the room Tuesday and Thursday
08:00–16:00. Services: `consultation` (30 min, online), `extended` (60 min + 15 min after,
online), `procedure` (90 min, 15 before / 30 after, clinician AND room, staff only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from annulus.accounts.models import Clinic, Role
from annulus.scheduling.actions import PatientDetails
from annulus.scheduling.models import (
    Delivery,
    Location,
    Resource,
    ResourceKind,
    RoleCandidate,
    Service,
    ServiceRole,
    WeeklyHours,
)
from annulus.testing import make_staff

CHICAGO = "America/Chicago"


@dataclass
class Schedule:
    clinic: Clinic
    location: Location
    ames: Resource
    baker: Resource
    room: Resource
    consultation: Service
    extended: Service
    procedure: Service

    @property
    def zone(self) -> ZoneInfo:
        return self.location.zone


def make_service(
    clinic: Clinic,
    location: Location,
    slug: str,
    roles: list[tuple[str, list[Resource]]],
    **kw: Any,
) -> Service:
    values: dict[str, Any] = {
        "name": slug.replace("-", " ").title(),
        "duration_minutes": 30,
        "step_minutes": 30,
        "min_notice_minutes": 60,
        "max_advance_days": 90,
        "online_bookable": True,
    }
    values.update(kw)
    service = Service.objects.create(clinic=clinic, location=location, slug=slug, **values)
    for position, (label, resources) in enumerate(roles):
        role = ServiceRole.objects.create(service=service, position=position, label=label)
        for preference, resource in enumerate(resources):
            RoleCandidate.objects.create(role=role, resource=resource, preference=preference)
    return service


def weekly(resource: Resource, days: Any, *spans: tuple[time, time]) -> None:
    for day in days:
        for start, end in spans:
            WeeklyHours.objects.create(resource=resource, weekday=day, start=start, end=end)


def make_schedule(clinic: Clinic, tz: str = CHICAGO) -> Schedule:
    clinic.email = "front-desk@lakeside.test"
    clinic.save(update_fields=["email"])
    location = Location.objects.create(
        clinic=clinic, slug="main", name="Lakeside main clinic", timezone=tz, address="1 Test St"
    )
    ames_user = make_staff(clinic, Role.CLINICIAN, email=f"ames{clinic.pk}@staff.annulus.test")
    baker_user = make_staff(clinic, Role.CLINICIAN, email=f"baker{clinic.pk}@staff.annulus.test")
    ames = Resource.objects.create(
        clinic=clinic, location=location, kind=ResourceKind.CLINICIAN, slug="dr-ames",
        name="Dr Ames", user=ames_user,
    )  # fmt: skip
    baker = Resource.objects.create(
        clinic=clinic, location=location, kind=ResourceKind.CLINICIAN, slug="dr-baker",
        name="Dr Baker", user=baker_user,
    )  # fmt: skip
    room = Resource.objects.create(
        clinic=clinic, location=location, kind=ResourceKind.ROOM, slug="procedure-room",
        name="Procedure room",
    )  # fmt: skip
    for clinician in (ames, baker):
        weekly(clinician, range(5), (time(9), time(12)), (time(13), time(17)))
    weekly(room, (1, 3), (time(8), time(16)))
    consultation = make_service(
        clinic, location, "consultation", [("Clinician", [ames, baker])], delivery=Delivery.EITHER
    )
    extended = make_service(
        clinic, location, "extended", [("Clinician", [ames, baker])],
        duration_minutes=60, buffer_after_minutes=15,
    )  # fmt: skip
    procedure = make_service(
        clinic, location, "procedure", [("Clinician", [ames, baker]), ("Room", [room])],
        duration_minutes=90, buffer_before_minutes=15, buffer_after_minutes=30,
        online_bookable=False, min_notice_minutes=0,
    )  # fmt: skip
    return Schedule(clinic, location, ames, baker, room, consultation, extended, procedure)


def next_weekday(weekday: int, *, after_days: int = 7, tz: str = CHICAGO) -> date:
    """The first `weekday` (Monday=0) at least `after_days` from today in `tz`."""
    today = datetime.now(UTC).astimezone(ZoneInfo(tz)).date()
    day = today + timedelta(days=after_days)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def at(day: date, hour: int, minute: int = 0, tz: str = CHICAGO) -> datetime:
    """A local wall time as a UTC instant."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def as_staff(user: Any) -> dict[str, Any]:
    """The acting user and audit context, for calling staff actions directly."""
    from annulus.audit.context import AuditContext

    return {"actor": user, "ctx": AuditContext(request_id="test-staff")}


def details(n: int = 1, **changes: Any) -> PatientDetails:
    values: dict[str, Any] = {
        "first_name": "Robin",
        "last_name": f"Tester{n}",
        "email": f"robin{n}@example.org",
        "phone": "+1 555 0101",
        "date_of_birth": date(1980, 5, n % 28 + 1),
    }
    values.update(changes)
    return PatientDetails(**values)


def patient_json(n: int = 1, **changes: Any) -> dict[str, Any]:
    d = details(n)
    values = {
        "first_name": d.first_name,
        "last_name": d.last_name,
        "email": d.email,
        "phone": d.phone,
        "date_of_birth": d.date_of_birth.isoformat(),
    }
    values.update(changes)
    return values
