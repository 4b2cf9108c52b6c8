"""VA Community Care: authorizations, the visits counted against them, and their claims."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from annulus.audit.actions import (
    VA_AUTHORIZATION_CREATE,
    VA_AUTHORIZATION_UPDATE,
    VA_CLAIM_SUBMITTED,
    VA_VISIT_RECORD,
)
from annulus.audit.context import AuditContext
from annulus.patients.history import save_clinical
from annulus.patients.models import AuthorizedVisit, CommunityCareAuthorization
from annulus.patients.va import visit_refusal

if TYPE_CHECKING:
    from annulus.accounts.models import User


class VisitRefused(Exception):
    """The visit cannot be counted: `field` and `message` say why, for the form."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def save_authorization(
    authorization: CommunityCareAuthorization, *, actor: User | None, ctx: AuditContext
) -> CommunityCareAuthorization:
    creating = authorization.pk is None
    save_clinical(
        authorization,
        patient=authorization.patient,
        user=actor,
        ctx=ctx,
        audit_action=VA_AUTHORIZATION_CREATE if creating else VA_AUTHORIZATION_UPDATE,
    )
    return authorization


def record_va_visit(
    visit: AuthorizedVisit, *, actor: User | None, ctx: AuditContext
) -> AuthorizedVisit:
    """Count the visit against its authorization, or raise `VisitRefused` saying why not.

    The authorization row is locked and its visits counted again, so two visits sent at the
    same moment cannot both take the last one.
    """
    with transaction.atomic():
        auth = CommunityCareAuthorization.objects.select_for_update().get(pk=visit.authorization_id)
        used = AuthorizedVisit.objects.filter(authorization=auth).count()
        refusal = visit_refusal(
            visit.visit_date,
            valid_from=auth.valid_from,
            valid_to=auth.valid_to,
            visits_authorized=auth.visits_authorized,
            visits_used=used,
        )
        if refusal is not None:
            raise VisitRefused(*refusal)
        save_clinical(
            visit, patient=auth.patient, user=actor, ctx=ctx, audit_action=VA_VISIT_RECORD
        )
    return visit


def submit_claim(
    visit: AuthorizedVisit, *, actor: User | None, ctx: AuditContext
) -> AuthorizedVisit:
    """The claim for the visit went to the third-party administrator (its date is set)."""
    save_clinical(
        visit,
        patient=visit.authorization.patient,
        user=actor,
        ctx=ctx,
        audit_action=VA_CLAIM_SUBMITTED,
    )
    return visit
