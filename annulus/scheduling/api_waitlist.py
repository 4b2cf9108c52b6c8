"""The waitlist in the public API: join, and what the patient's manage page shows and allows.

    POST   /api/v1/waitlist             201 on the waitlist · 422 errors per field · 429
    GET    /api/v1/waitlist             200 the places the Manage-Token opens · 404
    DELETE /api/v1/waitlist/{id}        200 left · 404 not theirs · 409 no longer waiting

Joining finds the patient by email and date of birth, or creates them, as a booking does; a
patient already waiting keeps their place. Someone who joins need not hold a booking, so a new
place comes with its own link (`manage_url`, also emailed to the patient): it opens a page
showing the place, and its last part is a `Manage-Token` for this place only. Reading and
leaving need the `Manage-Token` header: that, or the last part of a booking's `manage_url` (the
key that opens the booking's manage page), which opens all of the booking patient's places.
It is a header, not part of the address, so it stays out of logs. Same error shape, rate
limits and Idempotency-Key as `POST /bookings` (annulus/scheduling/api.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Header, Router, Schema, Status

from annulus.audit.actions import APPOINTMENT_LINK_REFUSED, WAITLIST_VIEWED
from annulus.audit.context import AuditContext
from annulus.audit.models import Outcome
from annulus.audit.record import record
from annulus.lib import ratelimit
from annulus.lib.site import site_base
from annulus.scheduling import actions
from annulus.scheduling.api import (
    ErrorsOut,
    PatientIn,
    Slug,
    _service,
    _too_many,
    once,
    unknown_service,
)
from annulus.scheduling.idempotency import Answer
from annulus.scheduling.links import find_by_manage_token, find_place_by_token, place_url
from annulus.scheduling.models import Appointment, WaitlistEntry, WaitStatus
from annulus.scheduling.upcoming import open_waitlist_places

router = Router(tags=["waitlist"])

JOIN_LIMIT = {"limit": 20, "per_seconds": 600}
MANAGE_LIMIT = {"limit": 60, "per_seconds": 600}
TOKEN = Header(
    ...,
    alias="Manage-Token",
    description="The last part of a booking's manage_url (all its patient's places), or of the "
    "manage_url a join returned (that place only)",
)
GONE = "This appointment's link is not valid."
NEW = "new_place"  # kept with a stored answer: a replay gives the place's link again


class WaitlistIn(Schema):
    service: Slug
    patient: PatientIn


class PlaceOut(Schema):
    id: int
    service: str = Field(..., description="The service's slug")
    status: str = Field(..., description="waiting, offered (a time was emailed), or removed")
    joined_at: datetime


class JoinedOut(PlaceOut):
    manage_url: str | None = Field(
        ...,
        description="The new place's own private link (also emailed to the patient): it shows "
        "and leaves the place, and its last part is a Manage-Token for this place. Null when "
        "the patient was already waiting: the link went to their email when they joined.",
    )


class PlacesOut(Schema):
    places: list[PlaceOut]


class DetailOut(Schema):
    detail: str


def _place(entry: WaitlistEntry) -> dict[str, Any]:
    zone = entry.service.location.zone
    return {
        "id": entry.pk,
        "service": entry.service.slug,
        "status": entry.status,
        "joined_at": entry.joined_at.astimezone(zone).isoformat(),
    }


def _opened(request: HttpRequest, token: str) -> Appointment | WaitlistEntry | None:
    """What the Manage-Token opens: a booking (all its patient's places) or, for a place's own
    token, that place only."""
    token = token.strip()
    found = find_by_manage_token(token) or find_place_by_token(token)
    if found is None:
        record(APPOINTMENT_LINK_REFUSED, request=request, outcome=Outcome.DENIED)
    return found


@router.post(
    "/waitlist",
    auth=None,
    response={201: JoinedOut, 422: ErrorsOut, 429: None},
    summary="Join a service's waitlist",
)
def join(
    request: HttpRequest,
    payload: WaitlistIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Any:
    """No free slot fits: wait for one. When a time frees up the patient is emailed a link to
    book it. No booking is needed. `201` with the place and, for a new place, its private
    `manage_url` (also emailed): its last part is the `Manage-Token` that lists and leaves
    this place. A patient already waiting keeps their place: `201` with it again and
    `manage_url` null (the link was emailed when they joined; it is not given to whoever
    knows their email and date of birth). With an `Idempotency-Key`, a repeat returns the
    first answer again, `manage_url` included."""
    if not ratelimit.hit(request, "api.waitlist", **JOIN_LIMIT):
        return _too_many(JOIN_LIMIT["per_seconds"])
    service = _service(payload.service)
    if service is None:
        return unknown_service(payload.service)
    ctx = AuditContext.from_request(request)
    base = site_base(request)

    def work() -> Answer:
        details = actions.PatientDetails(**payload.patient.model_dump())
        entry, created = actions.join_waitlist_online(service, details, ctx=ctx, base=base)
        # The link is derived again on a replay, never stored with the answer.
        return Answer(201, {**_place(entry), NEW: created})

    answer = once("waitlist", idempotency_key, payload, work)
    if isinstance(answer, Status):
        return answer
    body = dict(answer.body)
    new = bool(body.pop(NEW, False))
    entry = WaitlistEntry.objects.filter(pk=body["id"]).first() if new else None
    return Status(answer.status, {**body, "manage_url": place_url(entry, base) if entry else None})


@router.get(
    "/waitlist",
    auth=None,
    response={200: PlacesOut, 404: DetailOut, 422: ErrorsOut, 429: None},
    summary="The patient's places on waitlists",
)
def places(request: HttpRequest, manage_token: str = TOKEN) -> Any:
    """The open places (waiting, or holding an emailed offer) the token opens: a booking's
    token, all its patient's places; a place's own token, that place while it is open."""
    if not ratelimit.hit(request, "api.waitlist.manage", **MANAGE_LIMIT):
        return _too_many(MANAGE_LIMIT["per_seconds"])
    opened = _opened(request, manage_token)
    if opened is None:
        return Status(404, {"detail": GONE})
    open_places = open_waitlist_places(opened.patient)
    if isinstance(opened, WaitlistEntry):
        open_places = [entry for entry in open_places if entry.pk == opened.pk]
    record(
        WAITLIST_VIEWED,
        request=request,
        clinic=opened.clinic,
        patient_id=opened.patient_id,
        details={"by": "patient", "places": len(open_places)},
    )
    return Status(200, {"places": [_place(entry) for entry in open_places]})


@router.delete(
    "/waitlist/{entry_id}",
    auth=None,
    response={200: PlaceOut, 404: DetailOut, 409: DetailOut, 422: ErrorsOut, 429: None},
    summary="Leave a waitlist",
)
def leave(request: HttpRequest, entry_id: int, manage_token: str = TOKEN) -> Any:
    """The booking's patient leaves one place (an emailed offer is withdrawn). Leaving twice
    answers `200` again; `409` once the offered time was booked or the offer lapsed."""
    if not ratelimit.hit(request, "api.waitlist.manage", **MANAGE_LIMIT):
        return _too_many(MANAGE_LIMIT["per_seconds"])
    opened = _opened(request, manage_token)
    if opened is None:
        return Status(404, {"detail": GONE})
    entry = (
        WaitlistEntry.objects.filter(pk=entry_id, patient_id=opened.patient_id)
        .select_related("service__location")
        .first()
    )
    if entry is None or (isinstance(opened, WaitlistEntry) and opened.pk != entry.pk):
        return Status(404, {"detail": "This patient has no such place on a waitlist."})
    if entry.status != WaitStatus.REMOVED:
        try:
            entry = actions.remove_from_waitlist(
                entry, actor=None, ctx=AuditContext.from_request(request)
            )
        except actions.NotAllowed as exc:
            return Status(409, {"detail": str(exc)})
    return Status(200, _place(entry))
