"""`annulus fhir-export --all DIR` or `annulus fhir-export --patient ID DIR`: NDJSON per type."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from annulus.audit.context import AuditContext
from annulus.interop.actions import audit_read
from annulus.interop.collect import clinic_resources, patient_resources
from annulus.interop.ndjson import NdjsonWriter

BAR = 30


class Command(BaseCommand):
    help = "Write FHIR R4 resources as NDJSON, one file per resource type, into DIR."

    def add_arguments(self, parser: CommandParser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--all", action="store_true", help="Every patient of every clinic")
        which.add_argument("--patient", type=int, metavar="ID", help="One patient by id")
        parser.add_argument("--clinic", metavar="SLUG", help="With --all: only this clinic")
        parser.add_argument("dir", type=Path, help="Output folder (created if missing)")

    def handle(self, *args: Any, **options: Any) -> None:
        from annulus.accounts.models import Clinic
        from annulus.patients.models import Patient

        folder: Path = options["dir"]
        if folder.exists() and not folder.is_dir():
            raise CommandError(f"dir: {folder} is a file, not a folder")
        patients = Patient.objects.select_related("clinic").order_by("clinic_id", "pk")
        if options["patient"] is not None:
            patients = patients.filter(pk=options["patient"])
            if not patients.exists():
                raise CommandError(f"--patient: no patient with id {options['patient']}")
        elif options["clinic"]:
            patients = patients.filter(clinic__slug=options["clinic"])
            if not Clinic.objects.filter(slug=options["clinic"]).exists():
                raise CommandError(f"--clinic: no clinic {options['clinic']!r}")
        chosen = list(patients)
        clinics = {p.clinic_id: p.clinic for p in chosen}
        if options["all"] and not options["clinic"]:
            clinics.update({c.pk: c for c in Clinic.objects.all()})
        writer = NdjsonWriter(folder)
        try:
            for clinic in clinics.values():
                for resource in clinic_resources(clinic):
                    writer.write(resource)
            for done, patient in enumerate(chosen, start=1):
                for resource in patient_resources(patient):
                    writer.write(resource)
                self._progress(done, len(chosen))
        finally:
            counts = writer.close()
        ctx = AuditContext.system("fhir-export")
        with transaction.atomic():
            for patient in chosen:
                audit_read(
                    ctx=ctx,
                    actor=None,
                    clinic=patient.clinic,
                    patient_id=patient.pk,
                    what="export",
                    details={"via": "command"},
                )
        self.stdout.write("")
        for rtype, count in counts.items():
            self.stdout.write(f"  {rtype + '.ndjson':<32} {count:>6}")
        self.stdout.write(
            f"Wrote {sum(counts.values())} resources of {len(counts)} types for "
            f"{len(chosen)} patients into {folder}"
        )

    def _progress(self, done: int, total: int) -> None:
        filled = BAR * done // max(total, 1)
        self.stdout.write(
            f"\r[{'#' * filled}{'.' * (BAR - filled)}] {done}/{total} patients", ending=""
        )
        self.stdout.flush()
