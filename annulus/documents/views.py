"""A patient's documents: the list with the upload form, and the file itself, shown inline.

Every page goes through `get_patient_for_user` (404 for another clinic's patient) and every
opening of a file is audited. Writes go through `annulus.documents.actions`.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render

from annulus.accounts.staff_request import StaffRequest
from annulus.audit.context import AuditContext
from annulus.documents.actions import DocumentRefused, add_document, record_access
from annulus.documents.content import BY_CONTENT_TYPE
from annulus.documents.forms import UploadForm
from annulus.documents.models import Document
from annulus.documents.storage import document_storage
from annulus.patients.access import get_patient_for_user


def documents(request: StaffRequest, pk: int) -> HttpResponse:
    write = request.method == "POST"
    patient = get_patient_for_user(request, pk, write=write)
    form = UploadForm()
    if write:
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                _document, created = add_document(
                    patient,
                    form.cleaned_data["file"],
                    kind=form.cleaned_data["kind"],
                    title=form.cleaned_data["title"],
                    actor=request.user,
                    ctx=AuditContext.from_request(request),
                )
            except DocumentRefused as exc:
                form.add_error(exc.field, exc.message)
            else:
                if created:
                    messages.success(request, "Document uploaded.")
                else:
                    messages.info(request, "This file was already on the record; kept one copy.")
                return redirect("documents:list", pk=patient.pk)
    context = {
        "patient": patient,
        "documents": Document.objects.filter(patient=patient).select_related("uploaded_by"),
        "form": form,
    }
    status = 400 if write and form.errors else 200
    return render(request, "documents/list.html", context, status=status)


def document_file(request: StaffRequest, pk: int, doc: int) -> HttpResponseBase:
    patient = get_patient_for_user(request, pk)
    document = Document.objects.filter(pk=doc, patient=patient).first()
    if document is None:
        raise Http404("No such document.")
    file_type = BY_CONTENT_TYPE.get(document.content_type)
    if file_type is None:
        raise Http404("No such document.")
    download = request.GET.get("download") == "1"
    try:
        handle = document_storage().open(document.storage_name, "rb")
    except FileNotFoundError:
        raise Http404("The stored file is missing; run `annulus documents verify`.") from None
    record_access(
        document, actor=request.user, ctx=AuditContext.from_request(request), download=download
    )
    response = FileResponse(
        handle,
        as_attachment=download,
        filename=f"document-{document.pk}.{file_type.extension}",
        content_type=file_type.content_type,
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
