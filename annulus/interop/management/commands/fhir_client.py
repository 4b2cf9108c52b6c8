"""`annulus fhir-client create|revoke|list`: API clients for the FHIR endpoints."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annulus.audit.context import AuditContext
from annulus.interop import actions
from annulus.interop.models import SCOPE_EXPORT, SCOPE_READ, FhirClient


class Command(BaseCommand):
    help = "Create, list or revoke FHIR API clients (the token is printed once)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create", help="Create a client and print its token once")
        create.add_argument("--clinic", required=True, metavar="SLUG")
        create.add_argument("--name", required=True)
        create.add_argument("--director", required=True, metavar="EMAIL")
        create.add_argument(
            "--scope",
            action="append",
            choices=[SCOPE_READ, SCOPE_EXPORT],
            help="Repeat for several (default: read only)",
        )
        create.add_argument("--days", type=int, default=90, help="Valid for (1-366, default 90)")
        revoke = sub.add_parser("revoke", help="Revoke a client by id")
        revoke.add_argument("id", type=int)
        sub.add_parser("list", help="List clients")

    def handle(self, *args: Any, **options: Any) -> None:
        ctx = AuditContext.system("fhir-client")
        if options["verb"] == "list":
            for c in FhirClient.objects.select_related("clinic"):
                state = "revoked" if c.revoked_at else f"expires {c.expires_at:%Y-%m-%d}"
                self.stdout.write(f"{c.pk:>4}  {c.clinic.slug}  {c.name}  {c.scopes}  {state}")
            return
        if options["verb"] == "revoke":
            client = FhirClient.objects.filter(pk=options["id"]).first()
            if client is None:
                raise CommandError(f"id: no FHIR client {options['id']}")
            actions.revoke_client(actor=None, ctx=ctx, client=client)
            self.stdout.write(f"Revoked FHIR client {client.pk} ({client.name}).")
            return
        from annulus.accounts.models import Clinic, Membership, Role

        clinic = Clinic.objects.filter(slug=options["clinic"]).first()
        if clinic is None:
            raise CommandError(f"--clinic: no clinic {options['clinic']!r}")
        membership = (
            Membership.objects.filter(
                clinic=clinic,
                user__email=options["director"].strip().lower(),
                role__in=[Role.DIRECTOR, Role.ADMIN],
            )
            .select_related("user")
            .first()
        )
        if membership is None:
            raise CommandError("--director: not a director or admin of that clinic")
        try:
            created = actions.create_client(
                actor=membership.user,
                ctx=ctx,
                clinic=clinic,
                name=options["name"],
                scopes=options["scope"] or [SCOPE_READ],
                days=options["days"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Created FHIR client {created.client.pk} ({created.client.name}).")
        self.stdout.write(f"Token (shown once, store it now): {created.token}")
