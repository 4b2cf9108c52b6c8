"""Break-glass access (G8): the writes behind it, and the check the permission middleware uses.

A member of staff whose role does not include patient records (the matrix in permissions.yaml)
may open one patient's record, read-only, for at most 60 minutes after giving a reason. Opening
it is audited, e-mails every director of the clinic at once, and leaves a review item; items
unreviewed for 7 days are marked overdue on the directors' review list.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from annulus.accounts.models import BreakGlass, Membership, Role
from annulus.audit.actions import ACCESS_BREAK_GLASS, ACCESS_BREAK_GLASS_REVIEWED
from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.lib.site import site_base

DURATION = timedelta(minutes=60)
REVIEW_WITHIN = timedelta(days=7)
MIN_REASON = 10
# Routes break-glass opens (reading only): the patient's record pages.
PATIENT_ROUTE_PREFIXES = ("patients:", "clinical:", "patient_outcomes:", "patient_candidacy:",
                          "va:")  # fmt: skip


class BreakGlassError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def active_grant(user: Any, clinic: Any, patient_id: int) -> BreakGlass | None:
    return (
        BreakGlass.objects.filter(
            user=user, clinic=clinic, patient_id=patient_id, expires_at__gt=timezone.now()
        )
        .order_by("-expires_at")
        .first()
    )


def opens(route: str, method: str, kwargs: dict[str, Any]) -> bool:
    """Whether an active grant could open this request: a read of a patient's record page."""
    return (
        method.upper() in {"GET", "HEAD"}
        and route.startswith(PATIENT_ROUTE_PREFIXES)
        and "pk" in kwargs
        and route != "patients:create"
    )


def open_break_glass(
    *, user: Any, clinic: Any, patient: Any, reason: str, ctx: AuditContext, base_url: str
) -> BreakGlass:
    from annulus.notifications.actions import queue_email

    reason = " ".join(reason.split())
    if len(reason) < MIN_REASON:
        raise BreakGlassError("reason", f"Give the reason in at least {MIN_REASON} characters.")
    now = timezone.now()
    with transaction.atomic():
        grant = BreakGlass.objects.create(
            user=user,
            clinic=clinic,
            patient_id=patient.pk,
            reason=reason,
            opened_at=now,
            expires_at=now + DURATION,
        )
        record(ACCESS_BREAK_GLASS, ctx=ctx, actor=user, clinic=clinic, patient_id=patient.pk,
               obj=grant, details={"minutes": int(DURATION.total_seconds() // 60)})  # fmt: skip
        directors = Membership.objects.filter(clinic=clinic, role=Role.DIRECTOR).select_related(
            "user"
        )
        # The site's address from settings when set (#17: links built when sending), else the
        # address the request came in on.
        site = site_base(fallback=base_url)
        review_url = site + reverse("breakglass:reviews")
        for membership in directors:
            # No patient details in the email: the review page shows them after sign-in.
            queue_email(
                kind="breakglass.alert",
                to=membership.user.email,
                subject="Emergency access to a patient record was used",
                body_text=(
                    "A member of staff used emergency (break-glass) access to a patient record "
                    f"at {now:%Y-%m-%d %H:%M} UTC. Please review it: {review_url}\n"
                ),
                clinic=clinic,
                dedupe_key=f"breakglass:{grant.pk}:{membership.user_id}",
            )
    return grant


def review(*, grant: BreakGlass, reviewer: Any, note: str, ctx: AuditContext) -> BreakGlass:
    with transaction.atomic():
        locked = BreakGlass.objects.select_for_update().get(pk=grant.pk)
        if locked.reviewed_at is None:
            locked.reviewed_at, locked.reviewed_by = timezone.now(), reviewer
            locked.review_note = note.strip()
            locked.save(update_fields=["reviewed_at", "reviewed_by", "review_note"])
            record(ACCESS_BREAK_GLASS_REVIEWED, ctx=ctx, actor=reviewer, clinic=locked.clinic,
                   patient_id=locked.patient_id, obj=locked)  # fmt: skip
    return locked


def overdue_items(clinic: Any) -> Any:
    """Unreviewed openings older than REVIEW_WITHIN, oldest first (the director's home)."""
    cutoff = timezone.now() - REVIEW_WITHIN
    return (
        BreakGlass.objects.filter(clinic=clinic, reviewed_at=None, opened_at__lt=cutoff)
        .select_related("user")
        .order_by("opened_at")
    )


def overdue(clinic: Any) -> int:
    return int(overdue_items(clinic).count())
