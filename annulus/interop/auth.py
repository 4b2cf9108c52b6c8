"""Who is asking: a verified staff session of a clinic, or an API client's bearer token.

FHIR views are marked public for the site's deny-by-default middleware (which would redirect
an API client to the login page) and call `authenticate` themselves, answering 401 with an
OperationOutcome when neither credential is present.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from annulus.accounts.session import current_membership
from annulus.interop.models import SCOPE_EXPORT, SCOPE_READ, FhirClient
from annulus.lib.tokens import looks_like_token, token_hash

BULK_ROLES = {"director", "admin"}


@dataclass(frozen=True)
class Principal:
    clinic: Any
    user: Any = None
    client: FhirClient | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)

    def can(self, scope: str) -> bool:
        return scope in self.scopes

    def owns(self, export: Any) -> bool:
        """Bulk files go back only to whoever asked for them."""
        if self.client is not None:
            return bool(export.client_id == self.client.pk)
        return self.user is not None and bool(export.requested_by_id == self.user.pk)

    def audit_details(self) -> dict[str, Any]:
        return {"client": self.client.pk} if self.client is not None else {}


def authenticate(request: HttpRequest) -> Principal | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return _client_principal(header[len("Bearer ") :].strip())
    user = request.user
    if not user.is_authenticated or not user.is_verified():  # type: ignore[attr-defined]
        return None
    membership = current_membership(request)
    if membership is None:
        return None
    scopes = {SCOPE_READ}
    roles = set(
        membership.user.memberships.filter(clinic=membership.clinic).values_list("role", flat=True)
    )
    if roles & BULK_ROLES:
        scopes.add(SCOPE_EXPORT)
    return Principal(clinic=membership.clinic, user=user, scopes=frozenset(scopes))


def _client_principal(token: str) -> Principal | None:
    if not looks_like_token(token):
        return None
    client = (
        FhirClient.objects.select_related("clinic").filter(token_hash=token_hash(token)).first()
    )
    if client is None or not client.usable(timezone.now()):
        return None
    return Principal(clinic=client.clinic, client=client, scopes=frozenset(client.scopes))
