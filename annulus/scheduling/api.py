"""The public booking API, so a clinic's own site can embed booking.

    GET  /api/v1/slots?service=<slug>&from=YYYY-MM-DD&to=YYYY-MM-DD
    POST /api/v1/bookings            201 booked · 409 taken · 422 errors per field · 429 slow down

Errors use django-ninja's shape, `{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}`,
whose last `loc` element names the field. A booking refusal's `type` is a code from
`annulus.scheduling.refusals.CODES` (`past`, `outside_hours`, `off_grid`, `unknown_clinician`,
`slot_taken`, …) and its `msg` the sentence for people. Both endpoints are public and
rate-limited per address.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Header, Query, Router, Schema, Status
from pydantic import AfterValidator, AwareDatetime, StringConstraints, field_validator

from annulus.audit.context import AuditContext
from annulus.lib import ratelimit
from annulus.lib.site import site_base
from annulus.lib.validators import check_date_of_birth, clean_phone
from annulus.scheduling import actions
from annulus.scheduling.availability import find_slots, lead_slugs, online_service
from annulus.scheduling.idempotency import MAX_KEY_LENGTH, Answer, KeyReused, fingerprint, run_once
from annulus.scheduling.links import manage_url
from annulus.scheduling.models import Appointment, Service, Source
from annulus.scheduling.refusals import CODES

router = Router(tags=["booking"])

MAX_RANGE_DAYS = 31
SLOTS_LIMIT = {"limit": 120, "per_seconds": 60}
BOOKINGS_LIMIT = {"limit": 20, "per_seconds": 600}

# The schema states what validation enforces (L1): slugs, printable text, a date range.
SLUG = r"^[-a-zA-Z0-9_]+$"
TEXT = r"^[^\x00-\x1f\x7f]*$"  # no control characters (PostgreSQL refuses NUL)
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)
DAY = f"YYYY-MM-DD, from {FIRST_DAY} to {LAST_DAY}"
PHONE = r"^[0-9 +().ext-]*$"


def _printable(value: str) -> str:
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValueError("use letters and punctuation only (no control characters)")
    return value


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(_printable),
    Field(json_schema_extra={"pattern": TEXT}),
]
Slug = Annotated[str, StringConstraints(min_length=1, max_length=50, pattern=SLUG)]


class SlotsQuery(Schema):
    service: Slug = Field(..., description="The service's slug, e.g. consultation")
    from_: date = Field(
        ..., alias="from", ge=FIRST_DAY, le=LAST_DAY, description=f"First local date, {DAY}"
    )
    to: date = Field(
        ..., ge=FIRST_DAY, le=LAST_DAY, description=f"Last local date, {DAY}; at most 31 days on"
    )
    resource: Slug | None = Field(None, description="Only this leading resource (its slug)")


class SlotOut(Schema):
    start: datetime = Field(..., description="ISO 8601 with the UTC offset")
    end: datetime
    resource: str = Field(..., description="Slug of the leading resource (the clinician)")


class SlotsOut(Schema):
    slots: list[SlotOut]


class ErrorItem(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ErrorsOut(Schema):
    detail: list[ErrorItem]


class PatientIn(Schema):
    first_name: Name
    last_name: Name
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=254)] = Field(
        ..., json_schema_extra={"format": "email"}
    )
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] = Field(
        "", json_schema_extra={"pattern": PHONE}
    )
    date_of_birth: date

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValueError("enter an email address like name@example.com") from None
        return value.lower()

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        return clean_phone(value)  # the shared rule (annulus/lib/validators.py)

    @field_validator("date_of_birth")
    @classmethod
    def _born(cls, value: date) -> date:
        return check_date_of_birth(value)


class BookingIn(Schema):
    service: Slug
    start: AwareDatetime = Field(..., description="A slot's start, ISO 8601 with its offset")
    resource: Slug | None = Field(None, description="The slot's resource; omit for any")
    mode: Literal["in_person", "telehealth"] | None = None
    patient: PatientIn


class BookingOut(Schema):
    id: int
    status: str
    start: datetime
    end: datetime
    manage_url: str


def _error(
    field: str, message: str, *, where: str = "body", kind: str = "value_error"
) -> dict[str, Any]:
    loc: list[str] = [where, field] if where != "body" else ["body", "payload", *field.split(".")]
    return {"detail": [{"loc": loc, "msg": message, "type": kind}]}


def _too_many(per_seconds: int) -> HttpResponse:
    response = HttpResponse(
        '{"detail": "Too many requests from this address. Try again later."}',
        status=429,
        content_type="application/json",
    )
    response["Retry-After"] = str(per_seconds)
    return response


def _service(slug: str, *, cached: bool = False) -> Service | None:
    return online_service(slug, cached=cached)


def unknown_service(slug: str) -> Status:
    return Status(
        422, _error("service", f"No online-bookable service {slug!r}.", kind="unknown_service")
    )


def once(
    scope: str, key: str | None, payload: Schema, work: Callable[[], Answer]
) -> Answer | Status:
    """`work()`, or with an Idempotency-Key its first answer again; a 422 for a key that is
    unusable or reused for another body, or for the action's BookingError (naming the field)."""
    try:
        if key is None:
            return work()
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            message = f"1 to {MAX_KEY_LENGTH} characters"
            return Status(422, _error("Idempotency-Key", message, where="header"))
        return run_once(scope, key, fingerprint(payload.model_dump(mode="json")), work)
    except KeyReused:
        message = "this key was already used for a different request"
        return Status(422, _error("Idempotency-Key", message, where="header"))
    except actions.BookingError as exc:
        return Status(422, _error(exc.field, exc.message, kind=exc.code))


@router.get(
    "/slots",
    auth=None,
    response={200: SlotsOut, 422: ErrorsOut, 429: None},
    summary="Free slots of a service",
)
def slots(request: HttpRequest, params: Query[SlotsQuery]) -> Any:
    """Free slots whose local start date lies in [from, to] (at most 31 days), in the clinic's
    location zone; each has its start and end with their UTC offset, and its leading resource."""
    if not ratelimit.hit(request, "api.slots", **SLOTS_LIMIT):
        return _too_many(SLOTS_LIMIT["per_seconds"])
    service, from_, to, resource = params.service, params.from_, params.to, params.resource
    found = _service(service, cached=True)
    if found is None:
        return Status(
            422,
            _error(
                "service",
                f"No online-bookable service {service!r}.",
                where="query",
                kind="unknown_service",
            ),
        )
    if to < from_:
        return Status(422, _error("to", "must be on or after from", where="query"))
    if (to - from_).days >= MAX_RANGE_DAYS:
        return Status(422, _error("to", f"at most {MAX_RANGE_DAYS} days after from", where="query"))
    if resource is not None and resource not in lead_slugs(found):
        return Status(
            422,
            _error(
                "resource",
                f"Unknown clinician: no clinician or resource {resource!r} offers this service.",
                where="query",
                kind="unknown_clinician",
            ),
        )
    zone = found.location.zone
    result = find_slots(found, from_, to, now=timezone.now(), lead=resource, cached=True)
    return Status(
        200,
        {
            "slots": [
                {
                    "start": s.start.astimezone(zone),
                    "end": s.end.astimezone(zone),
                    "resource": s.resource,
                }
                for s in result
            ]
        },
    )


def _booking_body(appointment: Appointment) -> dict[str, Any]:
    zone = appointment.location.zone
    return {
        "id": appointment.pk,
        "status": appointment.status,
        "start": appointment.start.astimezone(zone).isoformat(),
        "end": appointment.end.astimezone(zone).isoformat(),
    }


@router.post(
    "/bookings",
    auth=None,
    response={201: BookingOut, 409: ErrorsOut, 422: ErrorsOut, 429: None},
    summary="Book a free slot",
    openapi_extra={"x-refusal-codes": CODES},
)
def bookings(
    request: HttpRequest,
    payload: BookingIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Any:
    """Book a slot from `GET /slots` for a patient (found by email and date of birth, or new).

    `201` with the booking and the patient's private `manage_url`; `409` (`type`
    `slot_taken`) when someone else has just booked the slot; `422` naming the field for
    anything that could never be booked, its `type` saying why (one of `x-refusal-codes`). With an
    `Idempotency-Key` header, a repeat of the same request returns the first `201` again and
    stores nothing new; the same key with a different body is a `422`.
    """
    if not ratelimit.hit(request, "api.bookings", **BOOKINGS_LIMIT):
        return _too_many(BOOKINGS_LIMIT["per_seconds"])
    service = _service(payload.service)
    if service is None:
        return unknown_service(payload.service)
    base = site_base(request)
    ctx = AuditContext.from_request(request)

    def work() -> Answer:
        appointment = actions.book_appointment(
            ctx,
            service=service,
            start=payload.start,
            resource=payload.resource,
            mode=payload.mode,
            details=actions.PatientDetails(**payload.patient.model_dump()),
            source=Source.API,
            base=base,
        )
        return Answer(201, _booking_body(appointment), appointment.pk)

    try:
        answer = once("bookings", idempotency_key, payload, work)
    except actions.SlotTaken:
        return Status(
            409,
            {
                "detail": [
                    {
                        "loc": ["body", "payload", "start"],
                        "msg": "Someone else has just booked this time. Choose another from "
                        "GET /slots.",
                        "type": actions.SlotTaken.code,
                    }
                ]
            },
        )
    if isinstance(answer, Status):
        return answer
    appointment = Appointment.objects.get(pk=int(answer.appointment_id or 0))
    # The manage link is not stored with the answer (only its hash is ever stored): rebuild it.
    body = {**answer.body, "manage_url": manage_url(appointment, base)}
    return Status(answer.status, body)
