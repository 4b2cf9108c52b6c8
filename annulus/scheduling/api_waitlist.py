"""The waitlist in the public API: join, and what the patient's manage page shows and allows.

    POST   /api/v1/waitlist             201 on the waitlist · 422 errors per field · 429
    GET    /api/v1/waitlist             200 the patient's places (Manage-Token header)
    DELETE /api/v1/waitlist/{id}        200 left · 404 not theirs · 409 no longer waiting

Joining finds the patient by email and date of birth, or creates them, as a booking does; a
patient already waiting keeps their place. Reading and leaving need the `Manage-Token` header:
the last part of a booking's `manage_url`, the same key that opens the manage page. It is a
header, not part of the address, so it stays out of logs. Same error shape, rate limits and
Idempotency-Key as `POST /bookings` (annulus/scheduling/api.py).
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
from annulus.scheduling.links import find_by_manage_token
from annulus.scheduling.models import Appointment, WaitlistEntry, WaitStatus
from annulus.scheduling.upcoming import open_waitlist_places

router = Router(tags=["waitlist"])

JOIN_LIMIT = {"limit": 20, "per_seconds": 600}
MANAGE_LIMIT = {"limit": 60, "per_seconds": 600}
TOKEN = Header(..., alias="Manage-Token", description="The last part of the booking's manage_url")
GONE = "This appointment's link is not valid."


class WaitlistIn(Schema):
    service: Slug
    patient: PatientIn


class PlaceOut(Schema):
    id: int
    service: str = Field(..., description="The service's slug")
    status: str = Field(..., description="waiting, offered (a time was emailed), or removed")
    joined_at: datetime


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


def _appointment(request: HttpRequest, token: str) -> Appointment | None:
    found = find_by_manage_token(token.strip())
    if found is None:
        record(APPOINTMENT_LINK_REFUSED, request=request, outcome=Outcome.DENIED)
    return found


@router.post(
    "/waitlist",
    auth=None,
    response={201: PlaceOut, 422: ErrorsOut, 429: None},
    summary="Join a service's waitlist",
)
def join(
    request: HttpRequest,
    payload: WaitlistIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Any:
    """No free slot fits: wait for one. When a time frees up the patient is emailed a link to
    book it. `201` with the place (the same place again when already waiting)."""
    if not ratelimit.hit(request, "api.waitlist", **JOIN_LIMIT):
        return _too_many(JOIN_LIMIT["per_seconds"])
    service = _service(payload.service)
    if service is None:
        return unknown_service(payload.service)
    ctx = AuditContext.from_request(request)

    def work() -> Answer:
        details = actions.PatientDetails(**payload.patient.model_dump())
        entry = actions.join_waitlist_online(service, details, ctx=ctx)
        return Answer(201, _place(entry))

    answer = once("waitlist", idempotency_key, payload, work)
    return answer if isinstance(answer, Status) else Status(answer.status, answer.body)


@router.get(
    "/waitlist",
    auth=None,
    response={200: PlacesOut, 404: DetailOut, 422: ErrorsOut, 429: None},
    summary="The patient's places on waitlists",
)
def places(request: HttpRequest, manage_token: str = TOKEN) -> Any:
    """The places (waiting, or holding an emailed offer) of the booking's patient."""
    if not ratelimit.hit(request, "api.waitlist.manage", **MANAGE_LIMIT):
        return _too_many(MANAGE_LIMIT["per_seconds"])
    found = _appointment(request, manage_token)
    if found is None:
        return Status(404, {"detail": GONE})
    open_places = open_waitlist_places(found.patient)
    record(
        WAITLIST_VIEWED,
        request=request,
        clinic=found.clinic,
        patient_id=found.patient_id,
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
    found = _appointment(request, manage_token)
    if found is None:
        return Status(404, {"detail": GONE})
    entry = (
        WaitlistEntry.objects.filter(pk=entry_id, patient_id=found.patient_id)
        .select_related("service__location")
        .first()
    )
    if entry is None:
        return Status(404, {"detail": "This patient has no such place on a waitlist."})
    if entry.status != WaitStatus.REMOVED:
        try:
            entry = actions.remove_from_waitlist(
                entry, actor=None, ctx=AuditContext.from_request(request)
            )
        except actions.NotAllowed as exc:
            return Status(409, {"detail": str(exc)})
    return Status(200, _place(entry))
