"""The director's page: run the de-identified export and download it as a ZIP."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from annulus.accounts.access import require_role
from annulus.accounts.models import Role
from annulus.accounts.staff_request import StaffRequest
from annulus.audit.context import AuditContext
from annulus.research.actions import ExportBlocked, run_research_export
from annulus.research.deid import RESTRICTED_ZIP3_SOURCE
from annulus.research.models import ResearchExport
from annulus.research.writer import FORMATS


@require_http_methods(["GET"])
def research_page(request: StaffRequest) -> HttpResponse:
    require_role(request, Role.DIRECTOR)
    runs = ResearchExport.objects.filter(clinic=request.clinic).select_related("run_by")[:20]
    return render(
        request,
        "research/export.html",
        {"runs": runs, "formats": FORMATS, "zip3_source": RESTRICTED_ZIP3_SOURCE},
    )


@require_http_methods(["POST"])
def research_download(request: StaffRequest) -> HttpResponse:
    require_role(request, Role.DIRECTOR)
    fmt = request.POST.get("format", "csv")
    if fmt not in FORMATS:
        messages.error(request, "Format: choose CSV or Parquet.")
        return redirect("research:page")
    with tempfile.TemporaryDirectory() as tmp:
        try:
            result = run_research_export(
                actor=request.user,
                ctx=AuditContext.from_request(request),
                clinic=request.clinic,
                folder=Path(tmp) / "export",
                fmt=fmt,
                origin="page",
            )
        except ExportBlocked as blocked:
            messages.error(
                request,
                f"The Safe Harbor checker stopped the export: {len(blocked.findings)} "
                f"finding(s), first {blocked.findings[0]}. Nothing was written.",
            )
            return redirect("research:page")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in result.files:
                archive.write(path, arcname=path.name)
    stamp = timezone.now().strftime("%Y%m%d")
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="research-export-{stamp}.zip"'
    return response
