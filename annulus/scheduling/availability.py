"""From the database to the pure slot core and back: which slots a service has, and one check.

Nothing here does time arithmetic of its own: opening hours, exceptions and busy intervals are
read from the database and handed to `annulus.scheduling.slots.compute_slots`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from annulus.accounts.models import public_clinic
from annulus.scheduling import slots as core
from annulus.scheduling.models import (
    Closure,
    ExtraHours,
    Occupancy,
    RoleCandidate,
    Service,
    WeeklyHours,
)

_DAY = timedelta(days=1)
# Opening hours and roles change rarely; slot listings (never the booking re-check) may read
# them up to this many seconds old, per process.
PLAN_CACHE_SECONDS = 10.0
_PLAN_CACHE_SIZE = 512


@dataclass(frozen=True)
class Candidate:
    position: int
    resource_id: int
    slug: str


def candidates(service: Service) -> list[Candidate]:
    """The active resources that can fill each of the service's roles, in preference order.

    One query. A booking reads them once and hands them to the checks, the locks, the slot
    maths and the holds (`roles=`), so they agree within its transaction.
    """
    return [
        Candidate(position, rid, slug)
        for position, rid, slug in RoleCandidate.objects.filter(
            role__service=service, resource__active=True
        )
        .order_by("role__position", "preference", "id")
        .values_list("role__position", "resource_id", "resource__slug")
    ]


def lead_slugs(service: Service, *, roles: Sequence[Candidate] | None = None) -> list[str]:
    """Slugs of the resources that can lead the service (`roles`: its candidates, if read)."""
    return [c.slug for c in (candidates(service) if roles is None else roles) if c.position == 0]


@dataclass(frozen=True)
class Plan:
    """A service's needs and the opening hours of every resource that could fill them."""

    service: Service
    needs: tuple[tuple[str, ...], ...]
    resources: dict[str, int]  # slug -> id
    availability: core.Availability

    @property
    def leads(self) -> tuple[str, ...]:
        return self.needs[0] if self.needs else ()


def plan_for(
    service: Service,
    *,
    first_day: date,
    last_day: date,
    lead: str | None = None,
    roles: Sequence[Candidate] | None = None,
) -> Plan:
    """Read the service's roles and its resources' hours for local dates first..last (± a day).

    With `lead`, the leading role is that resource alone. `roles` are the service's
    candidates when the caller has read them already.
    """
    by_position: dict[int, list[str]] = {}
    resources: dict[str, int] = {}
    for c in candidates(service) if roles is None else roles:
        if c.position == 0 and lead is not None and c.slug != lead:
            continue
        by_position.setdefault(c.position, []).append(c.slug)
        resources[c.slug] = c.resource_id
    needs = tuple(tuple(by_position[position]) for position in sorted(by_position))
    slug_of = {rid: slug for slug, rid in resources.items()}
    margin_first, margin_last = first_day - _DAY, last_day + _DAY
    rules = tuple(
        core.WeeklyRule(resource=slug_of[rid], weekday=weekday, start=start, end=end)
        for rid, weekday, start, end in WeeklyHours.objects.filter(resource_id__in=list(slug_of))
        .order_by()
        .values_list("resource_id", "weekday", "start", "end")
    )
    closures = tuple(
        core.Closure(
            first_day=first,
            last_day=last,
            resource=slug_of[rid] if rid else None,
        )
        for rid, first, last in Closure.objects.filter(
            location_id=service.location_id,
            first_day__lte=margin_last,
            last_day__gte=margin_first,
        )
        .order_by()
        .values_list("resource_id", "first_day", "last_day")
        if rid is None or rid in slug_of
    )
    extra = tuple(
        core.ExtraHours(resource=slug_of[rid], day=day, start=start, end=end)
        for rid, day, start, end in ExtraHours.objects.filter(
            resource_id__in=list(slug_of), day__gte=margin_first, day__lte=margin_last
        )
        .order_by()
        .values_list("resource_id", "day", "start", "end")
    )
    availability = core.Availability(
        zone=service.location.timezone, rules=rules, closures=closures, extra_hours=extra
    )
    return Plan(service=service, needs=needs, resources=resources, availability=availability)


_plans: dict[tuple[int, date, date, str | None], tuple[float, Plan]] = {}
_services: dict[str, tuple[float, Service | None]] = {}


def online_service(slug: str, *, cached: bool = False) -> Service | None:
    """The public clinic's active, online-bookable service with this slug, or None.

    `cached` (slot listings only) remembers the answer for PLAN_CACHE_SECONDS in this process,
    like the opening hours: the clinic and its services hardly ever change, and finding them was
    two of a slot search's three queries. Saving or deleting a clinic, location or service (or
    anything else a plan reads) clears both caches in the process that saved; other processes
    see the change within PLAN_CACHE_SECONDS. Bookings read fresh. The cached instance is shared
    by every request of the process: nothing may be set on it.
    """
    now = time.monotonic()
    if cached:
        hit = _services.get(slug)
        if hit is not None and now - hit[0] < PLAN_CACHE_SECONDS:
            return hit[1]
    clinic = public_clinic()
    found = (
        None
        if clinic is None
        else Service.objects.filter(clinic=clinic, slug=slug, online_bookable=True, active=True)
        .select_related("location", "clinic")
        .first()
    )
    if cached:
        if len(_services) >= _PLAN_CACHE_SIZE:
            _services.clear()
        _services[slug] = (now, found)
    return found


def clear_caches(**_signal: object) -> None:
    """Forget cached services and plans (connected to saves and deletes, see `apps`)."""
    _services.clear()
    _plans.clear()


def cached_plan(
    service: Service, *, first_day: date, last_day: date, lead: str | None = None
) -> Plan:
    """`plan_for`, remembered for PLAN_CACHE_SECONDS in this process (for slot listings)."""
    key = (service.pk, first_day, last_day, lead)
    now = time.monotonic()
    hit = _plans.get(key)
    if hit is not None and now - hit[0] < PLAN_CACHE_SECONDS:
        return hit[1]
    if len(_plans) >= _PLAN_CACHE_SIZE:
        _plans.clear()
    plan = plan_for(service, first_day=first_day, last_day=last_day, lead=lead)
    _plans[key] = (now, plan)
    return plan


def busy_between(
    resources: Mapping[str, int],
    start: datetime,
    end: datetime,
    *,
    exclude_appointment: int | None = None,
) -> list[core.Busy]:
    """Active occupancies of these resources (slug -> id) that overlap [start, end)."""
    slug_of = {rid: slug for slug, rid in resources.items()}
    rows = Occupancy.objects.filter(
        resource_id__in=list(slug_of), active=True, start__lt=end, end__gt=start
    )
    if exclude_appointment is not None:
        rows = rows.exclude(appointment_id=exclude_appointment)
    return [
        core.Busy(resource=slug_of[resource_id], start=s, end=e)
        for resource_id, s, e in rows.order_by().values_list("resource_id", "start", "end")
    ]


def find_slots(
    service: Service,
    first_day: date,
    last_day: date,
    *,
    now: datetime,
    lead: str | None = None,
    staff: bool = False,
    exclude_appointment: int | None = None,
    ignore_bookings: bool = False,
    cached: bool = False,
    roles: Sequence[Candidate] | None = None,
) -> list[core.Slot]:
    """Free slots of `service` starting on local dates first_day..last_day, in UTC.

    `lead` keeps only that resource for the leading role. `staff` lifts the notice and
    horizon limits for patients. `exclude_appointment` ignores one appointment's own holding
    (to move it); `ignore_bookings` ignores all bookings (is this a slot at all?). `cached` lets
    a listing read opening hours a few seconds old; bookings are always read fresh, and the
    booking transaction re-checks with fresh hours. `roles`: the service's candidates, if read.
    """
    if lead is not None and lead not in lead_slugs(service, roles=roles):
        return []
    load = cached_plan if cached else plan_for
    plan = load(service, first_day=first_day, last_day=last_day, lead=lead)
    needs = [list(role) for role in plan.needs]
    if not needs or any(not role for role in needs):
        return []
    zone = plan.availability.tzinfo
    # Busy intervals for the whole local range, with a day's margin for buffers and zones.
    window_start = datetime.combine(first_day - _DAY, datetime.min.time(), tzinfo=zone)
    window_end = datetime.combine(last_day + 2 * _DAY, datetime.min.time(), tzinfo=zone)
    busy = (
        []
        if ignore_bookings
        else busy_between(
            plan.resources,
            window_start.astimezone(UTC),
            window_end.astimezone(UTC),
            exclude_appointment=exclude_appointment,
        )
    )
    return core.compute_slots(
        plan.availability,
        service.timing(staff=staff),
        needs,
        busy,
        now=now,
        first_day=first_day,
        last_day=last_day,
    )


def local_day(instant: datetime, service: Service) -> date:
    return instant.astimezone(service.location.zone).date()


def slot_at(
    service: Service,
    start: datetime,
    *,
    now: datetime,
    lead: str | None = None,
    staff: bool = False,
    exclude_appointment: int | None = None,
    ignore_bookings: bool = False,
) -> core.Slot | None:
    """The free slot starting at `start` (with `lead` leading, when given), or None."""
    day = local_day(start, service)
    found = find_slots(
        service,
        day,
        day,
        now=now,
        lead=lead,
        staff=staff,
        exclude_appointment=exclude_appointment,
        ignore_bookings=ignore_bookings,
    )
    start_utc = start.astimezone(UTC)
    return next((slot for slot in found if slot.start == start_utc), None)


def check_slot(
    service: Service,
    start: datetime,
    *,
    now: datetime,
    lead: str | None = None,
    staff: bool = False,
    exclude_appointment: int | None = None,
    roles: Sequence[Candidate] | None = None,
) -> core.SlotCheck:
    """The free slot at `start`, and whether `start` is a slot time at all, in one computation.

    Always reads fresh hours and bookings: this is the booking transaction's re-check.
    """
    if roles is None:
        roles = candidates(service)
    if lead is not None and lead not in lead_slugs(service, roles=roles):
        return core.SlotCheck(None, offered=False)
    day = local_day(start, service)
    plan = plan_for(service, first_day=day, last_day=day, lead=lead, roles=roles)
    needs = [list(role) for role in plan.needs]
    if not needs or any(not role for role in needs):
        return core.SlotCheck(None, offered=False)
    zone = plan.availability.tzinfo
    window_start = datetime.combine(day - _DAY, datetime.min.time(), tzinfo=zone)
    window_end = datetime.combine(day + 2 * _DAY, datetime.min.time(), tzinfo=zone)
    busy = busy_between(
        plan.resources,
        window_start.astimezone(UTC),
        window_end.astimezone(UTC),
        exclude_appointment=exclude_appointment,
    )
    return core.check_slot(
        plan.availability, service.timing(staff=staff), needs, busy, now=now, start=start
    )
