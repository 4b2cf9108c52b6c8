"""Access helpers, used by every view that touches a protected object.

The pattern (from healthchecks' `_get_check_for_user`): look the object up, and when it belongs
to another clinic (or another patient) answer 404 — never 403, which would confirm it exists —
and audit the attempt. `get_for_user` is that pattern for any model; the patient itself has
`annulus/patients/access.py::get_patient_for_user`, which also audits every read.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any, NoReturn, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from annulus.accounts.models import Clinic, Membership, Role
from annulus.accounts.session import roles_in_clinic
from annulus.audit.actions import ACCESS_DENIED
from annulus.audit.models import Outcome
from annulus.audit.record import record


def deny(request: HttpRequest, *, kind: str, pk: Any, patient_id: int | None = None) -> NoReturn:
    """Audit a refused access to another clinic's object and answer 404."""
    record(
        ACCESS_DENIED,
        request=request,
        clinic=getattr(request, "clinic", None),
        patient_id=patient_id,
        outcome=Outcome.DENIED,
        details={"kind": kind, "pk": str(pk), "path_name": _route_name(request)},
    )
    raise Http404(f"No {kind} here.")


M = TypeVar("M", bound=Model)


def get_for_user(
    request: HttpRequest,
    source: type[M] | QuerySet[M],
    pk: Any,
    *,
    kind: str,
    patient: Any = None,
    owner: str | None = None,
) -> M:
    """The object `pk` of `source` (a model or a queryset, e.g. with `select_related`).

    With `patient`, the object must be that patient's: `owner` (a dotted attribute path,
    default "patient_id") must equal the patient's id. Without, it must be the current clinic's:
    `owner` (default "clinic_id") must equal `request.clinic.pk`. Anything else is a 404, and an
    `access.denied` event of `kind` when the object exists.
    """
    queryset = source if isinstance(source, QuerySet) else source._default_manager.all()
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404(f"No such {kind.replace('_', ' ')}.")
    if patient is not None:
        if attrgetter(owner or "patient_id")(found) != patient.pk:
            deny(request, kind=kind, pk=pk, patient_id=patient.pk)
    elif attrgetter(owner or "clinic_id")(found) != request_clinic(request).pk:
        deny(request, kind=kind, pk=pk, patient_id=getattr(found, "patient_id", None))
    return found


def request_clinic(request: HttpRequest) -> Clinic:
    """The clinic `DenyByDefaultMiddleware` set on a staff request (see `StaffRequest`)."""
    clinic: Clinic = request.clinic  # type: ignore[attr-defined]
    return clinic


def require_role(request: HttpRequest, *roles: Role) -> None:
    """Refuse (403) a member of staff who holds none of `roles` in the current clinic."""
    if not roles_in_clinic(request) & {r.value for r in roles}:
        names = " or ".join(r.label.lower() for r in roles)
        raise PermissionDenied(f"This page is for the clinic's {names}.")


def get_clinic_for_user(request: HttpRequest, *, write: bool = False) -> Clinic:
    """The clinic of the current session. Writing its settings needs the admin or director role."""
    clinic = request_clinic(request)
    if write:
        require_role(request, Role.ADMIN, Role.DIRECTOR)
    return clinic


def get_membership_for_user(request: HttpRequest, pk: int) -> Membership:
    """A colleague's membership, only within the current clinic."""
    membership = Membership.objects.select_related("user", "clinic").filter(pk=pk).first()
    if membership is None:
        raise Http404("No such member of staff.")
    if membership.clinic_id != request_clinic(request).pk:
        deny(request, kind="membership", pk=pk)
    return membership


def _route_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else ""
