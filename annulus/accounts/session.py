"""The clinic a signed-in member of staff is working in."""

from __future__ import annotations

from django.http import HttpRequest

from annulus.accounts.models import Membership

CLINIC_KEY = "annulus_clinic_id"


def current_membership(request: HttpRequest) -> Membership | None:
    """The membership for the clinic chosen in this session, else the user's first one."""
    memberships = Membership.objects.filter(user_id=_user_id(request)).select_related("clinic")
    chosen = request.session.get(CLINIC_KEY)
    membership = None
    if chosen is not None:
        membership = memberships.filter(clinic_id=chosen).order_by("id").first()
    if membership is None:
        membership = memberships.order_by("id").first()
        if membership is not None:
            request.session[CLINIC_KEY] = membership.clinic_id
    return membership


def roles_in_clinic(request: HttpRequest) -> set[str]:
    clinic = getattr(request, "clinic", None)
    if clinic is None:
        return set()
    # The permission matrix and the navigation both ask within one request: read once.
    cached: tuple[int, set[str]] | None = getattr(request, "_annulus_roles", None)
    if cached is not None and cached[0] == clinic.pk:
        return set(cached[1])
    roles = set(
        Membership.objects.filter(user_id=_user_id(request), clinic=clinic).values_list(
            "role", flat=True
        )
    )
    request._annulus_roles = (clinic.pk, roles)  # type: ignore[attr-defined]
    return set(roles)


def _user_id(request: HttpRequest) -> int:
    return int(request.user.pk or 0)  # 0 matches nobody: anonymous users have no memberships
