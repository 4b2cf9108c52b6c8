from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from annulus.accounts import demo


class Command(BaseCommand):
    help = "Create or refresh the synthetic demo clinic and print its staff logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--quiet-logins", action="store_true", help="Do not print passwords and codes."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("seed_demo makes accounts with known passwords: not in production.")
        from datetime import UTC, datetime

        from annulus.accounts.models import User
        from annulus.frontoffice.demo import seed_demo_referrals
        from annulus.leads.demo import seed_leads
        from annulus.outcomes.demo import seed_outcomes
        from annulus.patients.demo import seed_patients
        from annulus.safety.demo import seed_safety
        from annulus.scheduling.demo import seed_scheduling

        with transaction.atomic():
            clinic = demo.seed_clinic()
            logins = demo.seed_staff(clinic)
            today = datetime.now(UTC).astimezone(clinic.zone).date()
            clinician = User.objects.get(email="clinician@demo.annulus.test")
            patients = seed_patients(clinic, clinician, today)
            seed_leads(clinic, today)
            # After the patients and their VA authorizations exist: coverage links to them.
            seed_demo_referrals(clinic)
            seed_scheduling(clinic, today)
            seed_outcomes(clinic, today)
            seed_safety(clinic, today)
        self.stdout.write(
            f"Demo clinic ready: {clinic.name} ({clinic.timezone}), {len(patients)} demo patients."
        )
        if options["quiet_logins"]:
            return
        self.stdout.write("\nDemo staff logins (synthetic accounts, demo only):")
        for login in logins:
            self.stdout.write(f"\n  {login.role:<18} {login.email}  password: {login.password}")
            self.stdout.write(f"    authenticator app: {login.totp_uri}")
            self.stdout.write(f"    backup codes (each works once): {' '.join(login.backup_codes)}")
        self.stdout.write("")
