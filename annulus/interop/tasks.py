"""The bulk export as a background task, with progress the status URL reports."""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from annulus.audit.context import AuditContext
from annulus.interop.actions import audit_read
from annulus.interop.models import BulkExport, ExportStatus
from annulus.interop.ndjson import export_to_folder


def export_folder(export_id: int) -> Path:
    base = Path(getattr(settings, "ANNULUS_FHIR_EXPORT_DIR", settings.VAR_DIR / "fhir-exports"))
    return base / str(export_id)


@task()
def run_bulk_export(export_id: int) -> str:
    """Write the NDJSON files, updating progress per patient, and audit each patient exported."""
    from annulus.patients.models import Patient

    export = BulkExport.objects.select_related("clinic").filter(pk=export_id).first()
    if export is None or export.status != ExportStatus.QUEUED:
        return "nothing to do"
    patients = list(Patient.objects.filter(clinic=export.clinic).order_by("pk"))
    BulkExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, patients_total=len(patients), progress="starting"
    )
    folder = export_folder(export.pk)

    def on_patient(done: int) -> None:
        BulkExport.objects.filter(pk=export.pk).update(
            patients_done=done, progress=f"{done} of {len(patients)} patients"
        )

    try:
        counts = export_to_folder(
            export.clinic, patients, folder, types=export.types, on_patient=on_patient
        )
    except Exception as exc:
        shutil.rmtree(folder, ignore_errors=True)
        BulkExport.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED, error=type(exc).__name__, finished_at=timezone.now()
        )
        raise
    ctx = AuditContext.system(f"task:fhir-export:{export.pk}")
    with transaction.atomic():
        for patient in patients:
            audit_read(
                ctx=ctx,
                actor=export.requested_by,
                clinic=export.clinic,
                patient_id=patient.pk,
                what="export",
                details={
                    "export": export.pk,
                    **({"client": export.client_id} if export.client_id else {}),
                },
            )
        BulkExport.objects.filter(pk=export.pk, status=ExportStatus.RUNNING).update(
            status=ExportStatus.DONE,
            output={t: {"file": f"{t}.ndjson", "count": n} for t, n in counts.items()},
            progress="done",
            finished_at=timezone.now(),
        )
    return "done"
