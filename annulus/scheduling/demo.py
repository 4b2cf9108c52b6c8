"""The demo clinic's scheduling: one location, two clinicians, the procedure room and its C-arm,
the four services, weekday hours, a leave and a holiday, and a few appointments for demo patients.

Idempotent: everything is found by its slug first; hours and roles are only added where none
exist; demo appointments are added only when no future demo appointment exists. The online
`consultation` is bookable on every weekday of the next 30 days (a test checks it).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import transaction

from annulus.accounts.models import Clinic, User
from annulus.lib.tokens import token_hash
from annulus.patients.models import Patient
from annulus.scheduling.availability import find_slots
from annulus.scheduling.links import manage_token_for_salt, new_salt
from annulus.scheduling.models import (
    Appointment,
    Closure,
    Delivery,
    Location,
    Occupancy,
    Resource,
    ResourceKind,
    RoleCandidate,
    Service,
    ServiceRole,
    Source,
    WeeklyHours,
)

CLINICIANS = [
    ("dr-morgan", "clinician@demo.annulus.test", "Dr Morgan Clinician"),
    ("dr-jordan", "director@demo.annulus.test", "Dr Jordan Director"),
]
WEEKDAYS = range(5)
CLINIC_HOURS = [(time(8, 0), time(12, 0)), (time(13, 0), time(17, 0))]
PROCEDURE_DAYS = (1, 3)  # Tuesday and Thursday
PROCEDURE_HOURS = [(time(8, 0), time(15, 0))]

# slug, name, description, minutes, step, before, after, notice (min), advance (days), online,
# delivery, roles
SERVICES: list[dict[str, Any]] = [
    {
        "slug": "consultation",
        "name": "Consultation",
        "description": "A first visit with a spine physician to talk through your back pain "
        "and whether further tests make sense.",
        "duration_minutes": 30,
        "step_minutes": 30,
        "min_notice_minutes": 120,
        "max_advance_days": 60,
        "online_bookable": True,
        "delivery": Delivery.EITHER,
        "roles": [("Clinician", ["dr-morgan", "dr-jordan"])],
    },
    {
        "slug": "follow-up",
        "name": "Follow-up",
        "description": "A follow-up visit after tests or treatment.",
        "duration_minutes": 20,
        "step_minutes": 20,
        "min_notice_minutes": 120,
        "max_advance_days": 120,
        "online_bookable": False,
        "delivery": Delivery.EITHER,
        "roles": [("Clinician", ["dr-morgan", "dr-jordan"])],
    },
    {
        "slug": "discography",
        "name": "Diagnostic discography",
        "description": "Provocation discography under fluoroscopy.",
        "duration_minutes": 60,
        "step_minutes": 30,
        "buffer_before_minutes": 15,
        "buffer_after_minutes": 15,
        "min_notice_minutes": 0,
        "max_advance_days": 120,
        "online_bookable": False,
        "delivery": Delivery.IN_PERSON,
        "roles": [
            ("Clinician", ["dr-jordan", "dr-morgan"]),
            ("Procedure room", ["procedure-room"]),
            ("C-arm", ["c-arm"]),
        ],
    },
    {
        "slug": "fibrin-procedure",
        "name": "Intra-annular fibrin injection",
        "description": "The procedure, with the procedure room and the C-arm.",
        "duration_minutes": 90,
        "step_minutes": 30,
        "buffer_before_minutes": 15,
        "buffer_after_minutes": 30,
        "min_notice_minutes": 0,
        "max_advance_days": 180,
        "online_bookable": False,
        "delivery": Delivery.IN_PERSON,
        "roles": [
            ("Clinician", ["dr-jordan", "dr-morgan"]),
            ("Procedure room", ["procedure-room"]),
            ("C-arm", ["c-arm"]),
        ],
    },
]


def _resource(clinic: Clinic, location: Location, slug: str, **defaults: Any) -> Resource:
    resource, _ = Resource.objects.get_or_create(
        clinic=clinic, slug=slug, defaults={"location": location, **defaults}
    )
    return resource


def _hours(resource: Resource, days: Any, spans: list[tuple[time, time]]) -> None:
    if resource.weekly_hours.exists():
        return
    WeeklyHours.objects.bulk_create(
        WeeklyHours(resource=resource, weekday=d, start=a, end=b) for d in days for a, b in spans
    )


def _next_weekday(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def seed_scheduling(clinic: Clinic, today: date) -> dict[str, int]:
    """Create or refresh the demo clinic's scheduling. Returns counts for the seed's summary."""
    with transaction.atomic():
        location, _ = Location.objects.get_or_create(
            clinic=clinic,
            slug="main",
            defaults={
                "name": "Riverbend main clinic",
                "timezone": clinic.timezone,
                "address": ", ".join(
                    p for p in (clinic.address_line, clinic.city, clinic.region) if p
                ),
            },
        )
        resources: dict[str, Resource] = {}
        for slug, email, name in CLINICIANS:
            user = User.objects.filter(email=email).first()
            if user is None:
                continue
            resources[slug] = _resource(
                clinic, location, slug, kind=ResourceKind.CLINICIAN, name=name, user=user
            )
            _hours(resources[slug], WEEKDAYS, CLINIC_HOURS)
        resources["procedure-room"] = _resource(
            clinic, location, "procedure-room", kind=ResourceKind.ROOM, name="Procedure room"
        )
        resources["c-arm"] = _resource(
            clinic, location, "c-arm", kind=ResourceKind.EQUIPMENT, name="C-arm (fluoroscopy)"
        )
        for slug in ("procedure-room", "c-arm"):
            _hours(resources[slug], PROCEDURE_DAYS, PROCEDURE_HOURS)

        services = {}
        for position, spec in enumerate(SERVICES):
            values = {k: v for k, v in spec.items() if k not in ("slug", "roles")}
            service, _ = Service.objects.get_or_create(
                clinic=clinic,
                slug=spec["slug"],
                defaults={**values, "location": location, "position": position},
            )
            services[spec["slug"]] = service
            if not service.roles.exists():
                for index, (label, slugs) in enumerate(spec["roles"]):
                    role = ServiceRole.objects.create(service=service, position=index, label=label)
                    RoleCandidate.objects.bulk_create(
                        RoleCandidate(role=role, resource=resources[s], preference=i)
                        for i, s in enumerate(slugs)
                        if s in resources
                    )

        # Dr Jordan is on leave for three days in two weeks' time; Dr Morgan still sees people,
        # so consultations stay bookable every weekday. A holiday closes everything later on.
        if "dr-jordan" in resources and not Closure.objects.filter(location=location).exists():
            leave = _next_weekday(today + timedelta(days=14), 0)
            Closure.objects.create(
                location=location,
                resource=resources["dr-jordan"],
                first_day=leave,
                last_day=leave + timedelta(days=2),
                reason="Leave",
            )
            holiday = _next_weekday(today + timedelta(days=45), 0)
            Closure.objects.create(
                location=location, first_day=holiday, last_day=holiday, reason="Holiday"
            )
        booked = _seed_appointments(clinic, services, today)
    return {"resources": len(resources), "services": len(services), "appointments": booked}


def _seed_appointments(clinic: Clinic, services: dict[str, Service], today: date) -> int:
    """A few visits over the coming days for demo patients, so the calendar is not empty.

    Written directly (no emails: demo patients have reserved addresses, and nobody should be
    emailed by a seed), but only into free slots the core offers.
    """
    zone = services["consultation"].location.zone
    start_of_today = datetime.combine(today, time(0), tzinfo=zone)
    if Appointment.objects.filter(
        clinic=clinic, source=Source.DEMO, start__gte=start_of_today
    ).exists():
        return 0
    # Each visit fits its patient's story: no closed or emergency-route patient is booked, the
    # discography is for a work-up, the procedure for a fibrin candidate (#17 item 7).
    plan = [
        ("consultation", 1, 0, "noor.castellanos"),
        ("consultation", 1, 3, "morgan.tanaka"),
        ("follow-up", 2, 1, "blake.okafor"),
        ("consultation", 3, 5, "lane.ferreira"),
        ("discography", _days_to(today, 1), 0, "morgan.tanaka"),
        ("fibrin-procedure", _days_to(today, 3), 1, "avery.fielding"),
        ("consultation", 7, 2, "gray.halvorsen"),
        ("follow-up", 8, 0, "carmen.liu"),
    ]
    by_email = {p.email: p for p in Patient.objects.filter(clinic=clinic)}
    now = start_of_today.astimezone(UTC)
    booked = 0
    for slug, offset, pick, who in plan:
        patient = by_email.get(f"{who}@patients.demo.annulus.test")
        if patient is None:
            continue
        service = services[slug]
        day = today + timedelta(days=offset)
        slots = find_slots(service, day, day + timedelta(days=6), now=now, staff=True)
        if not slots:
            continue
        slot = slots[min(pick, len(slots) - 1)]
        salt = new_salt()
        appointment = Appointment.objects.create(
            clinic=clinic,
            location=service.location,
            service=service,
            patient=patient,
            start=slot.start,
            end=slot.end,
            source=Source.DEMO,
            manage_salt=salt,
            manage_token_hash=token_hash(manage_token_for_salt(salt)),
        )
        by_slug = {
            r.slug: r for r in Resource.objects.filter(clinic=clinic, slug__in=slot.resources)
        }
        Occupancy.objects.bulk_create(
            Occupancy(
                appointment=appointment,
                resource=by_slug[s],
                role_position=i,
                start=slot.start - service.buffer_before,
                end=slot.end + service.buffer_after,
            )
            for i, s in enumerate(slot.resources)
        )
        booked += 1
    return booked


def _days_to(today: date, weekday: int) -> int:
    """Days until the next `weekday` after today (procedure days are Tuesday and Thursday)."""
    return (weekday - today.weekday()) % 7 or 7
