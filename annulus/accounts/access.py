"""Access helpers: one per protected resource, used by every view that touches it.

The pattern (from healthchecks' `_get_check_for_user`): look the object up, and when it belongs
to another clinic answer 404 — never 403, which would confirm it exists — and audit the attempt.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from annulus.accounts.models import Clinic, Membership, Role
from annulus.accounts.session import roles_in_clinic
from annulus.audit.models import Outcome
from annulus.audit.record import record


def deny(request: HttpRequest, *, kind: str, pk: Any, patient_id: int | None = None) -> NoReturn:
    """Audit a refused access to another clinic's object and answer 404."""
    record(
        "access.denied",
        request=request,
        clinic=getattr(request, "clinic", None),
        patient_id=patient_id,
        outcome=Outcome.DENIED,
        details={"kind": kind, "pk": str(pk), "path_name": _route_name(request)},
    )
    raise Http404(f"No {kind} here.")


def require_role(request: HttpRequest, *roles: Role) -> None:
    """Refuse (403) a member of staff who holds none of `roles` in the current clinic."""
    if not roles_in_clinic(request) & {r.value for r in roles}:
        names = " or ".join(r.label.lower() for r in roles)
        raise PermissionDenied(f"This page is for the clinic's {names}.")


def get_clinic_for_user(request: HttpRequest, *, write: bool = False) -> Clinic:
    """The clinic of the current session. Writing its settings needs the admin or director role."""
    clinic: Clinic = request.clinic  # type: ignore[attr-defined]
    if write:
        require_role(request, Role.ADMIN, Role.DIRECTOR)
    return clinic


def get_membership_for_user(request: HttpRequest, pk: int) -> Membership:
    """A colleague's membership, only within the current clinic."""
    membership = Membership.objects.select_related("user", "clinic").filter(pk=pk).first()
    if membership is None:
        raise Http404("No such member of staff.")
    if membership.clinic_id != request.clinic.pk:  # type: ignore[attr-defined]
        deny(request, kind="membership", pk=pk)
    return membership


def _route_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else ""
