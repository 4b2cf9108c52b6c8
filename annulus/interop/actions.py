"""Every write the FHIR app makes: clients, bulk exports, and the audit of reads.

Actions take the acting user (or API client) and an `AuditContext`, never the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from annulus.audit.actions import (
    FHIR_CLIENT_CREATE,
    FHIR_CLIENT_REVOKE,
    FHIR_EXPORT_CANCEL,
    FHIR_EXPORT_START,
)
from annulus.audit.context import AuditContext
from annulus.audit.models import Outcome
from annulus.audit.record import record
from annulus.interop.models import SCOPES, BulkExport, ExportStatus, FhirClient
from annulus.lib.tokens import new_token, token_hash

MAX_CLIENT_DAYS = 366


@dataclass(frozen=True)
class NewClient:
    client: FhirClient
    token: str  # shown once; only its hash is stored


def create_client(
    *,
    actor: Any,
    ctx: AuditContext,
    clinic: Any,
    name: str,
    scopes: list[str],
    days: int,
    now: datetime | None = None,
) -> NewClient:
    """Create an API client for `clinic`; the token is returned once and never stored."""
    name = name.strip()
    if not name:
        raise ValueError("name: give the client a name")
    unknown = sorted(set(scopes) - {s for s, _ in SCOPES})
    if unknown or not scopes:
        raise ValueError(f"scopes: choose from {', '.join(s for s, _ in SCOPES)}")
    if not 1 <= days <= MAX_CLIENT_DAYS:
        raise ValueError(f"days: between 1 and {MAX_CLIENT_DAYS}")
    token = new_token()
    moment = now or timezone.now()
    with transaction.atomic():
        client = FhirClient.objects.create(
            clinic=clinic,
            name=name[:120],
            token_prefix=token[:6],
            token_hash=token_hash(token),
            scopes=sorted(set(scopes)),
            expires_at=moment + timedelta(days=days),
            created_by=actor,
            created_at=moment,
        )
        record(
            FHIR_CLIENT_CREATE,
            ctx=ctx,
            actor=actor,
            clinic=clinic,
            obj=client,
            details={"scopes": client.scopes, "days": days},
        )
    return NewClient(client, token)


def revoke_client(*, actor: Any, ctx: AuditContext, client: FhirClient) -> FhirClient:
    with transaction.atomic():
        client = FhirClient.objects.select_for_update().get(pk=client.pk)
        if client.revoked_at is None:
            client.revoked_at = timezone.now()
            client.save(update_fields=["revoked_at"])
            record(FHIR_CLIENT_REVOKE, ctx=ctx, actor=actor, clinic=client.clinic, obj=client)
    return client


def audit_read(
    *,
    ctx: AuditContext,
    actor: Any,
    clinic: Any,
    patient_id: int | None,
    what: str,
    details: dict[str, Any],
    denied: bool = False,
) -> None:
    """One audit event per patient read (`what`: read, everything, export)."""
    record(
        f"fhir.{what}",
        ctx=ctx,
        actor=actor,
        clinic=clinic,
        patient_id=patient_id,
        outcome=Outcome.DENIED if denied else Outcome.SUCCESS,
        details=details,
    )


def start_export(
    *,
    ctx: AuditContext,
    actor: Any,
    client: FhirClient | None,
    clinic: Any,
    level: str,
    types: list[str],
    request_url: str,
) -> BulkExport:
    """Queue a bulk export; the task starts once the row is committed."""
    from annulus.interop.tasks import run_bulk_export

    with transaction.atomic():
        export = BulkExport.objects.create(
            clinic=clinic,
            requested_by=actor,
            client=client,
            level=level,
            types=types,
            request_url=request_url[:500],
        )
        record(
            FHIR_EXPORT_START,
            ctx=ctx,
            actor=actor,
            clinic=clinic,
            obj=export,
            details={"level": level, "types": types, **({"client": client.pk} if client else {})},
        )
        transaction.on_commit(lambda: run_bulk_export.enqueue(export.pk))
    return export


def cancel_export(*, ctx: AuditContext, actor: Any, export: BulkExport) -> None:
    with transaction.atomic():
        BulkExport.objects.filter(
            pk=export.pk, status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING]
        ).update(status=ExportStatus.CANCELLED, finished_at=timezone.now())
        record(FHIR_EXPORT_CANCEL, ctx=ctx, actor=actor, clinic=export.clinic, obj=export)
