"""Every write of a document: store the bytes, then the row, its history and audit event.

Views and commands call these with the acting user and an `AuditContext`. A refused upload
(`DocumentRefused`) stores nothing; a failure after the bytes were stored deletes them again,
so no row ever points at a missing file and no half-written upload is left behind.
"""

from __future__ import annotations

import uuid
from typing import IO, TYPE_CHECKING

from django.core.files import File
from django.db import IntegrityError, transaction

from annulus.audit.actions import DOCUMENT_DOWNLOAD, DOCUMENT_UPLOAD, DOCUMENT_VIEW
from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.documents.content import (
    FileType,
    max_upload_bytes,
    sha256_of_stream,
    sniff_file,
)
from annulus.documents.models import Document, Kind
from annulus.documents.storage import document_storage
from annulus.patients.history import save_clinical

if TYPE_CHECKING:
    from annulus.accounts.models import User
    from annulus.patients.models import Patient


class DocumentRefused(Exception):
    """The upload cannot be stored: `field` and `message` say why, for the form."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def _size(stream: IO[bytes]) -> int:
    size = getattr(stream, "size", None)
    if size is None:
        stream.seek(0, 2)
        size = stream.tell()
        stream.seek(0)
    return int(size)


def check_upload(stream: IO[bytes]) -> FileType:
    """The file's type, or `DocumentRefused` naming the `file` field and the reason."""
    size = _size(stream)
    if size == 0:
        raise DocumentRefused("file", "The file is empty. Choose the file again and re-upload.")
    limit = max_upload_bytes()
    if size > limit:
        raise DocumentRefused(
            "file",
            f"The file is {size / 1_048_576:.1f} MB; the limit is {limit / 1_048_576:.1f} MB.",
        )
    file_type = sniff_file(stream)
    if file_type is None:
        raise DocumentRefused(
            "file",
            "This file is not a PDF, PNG or JPEG (its content was checked, not its name). "
            "Scan or save it as a PDF and upload that.",
        )
    return file_type


def add_document(
    patient: Patient,
    stream: IO[bytes],
    *,
    kind: str,
    title: str = "",
    actor: User | None,
    ctx: AuditContext,
) -> tuple[Document, bool]:
    """Store a file for the patient; returns (document, created).

    The same bytes uploaded again for the same patient (a double submit) return the stored
    document with `created=False` and store nothing new.
    """
    if kind not in Kind.values:
        raise DocumentRefused("kind", "Choose what kind of document this is.")
    file_type = check_upload(stream)
    size = _size(stream)
    digest = sha256_of_stream(stream)
    existing = Document.objects.filter(patient=patient, sha256=digest).first()
    if existing is not None:
        return existing, False

    storage = document_storage()
    stored_name = storage.save(f"{uuid.uuid4().hex}.{file_type.extension}", File(stream))
    document = Document(
        patient=patient,
        kind=kind,
        title=title.strip(),
        content_type=file_type.content_type,
        size=size,
        sha256=digest,
        storage_name=stored_name,
        uploaded_by=actor,
    )
    try:
        with transaction.atomic():
            save_clinical(
                document,
                patient=patient,
                user=actor,
                ctx=ctx,
                audit_action=DOCUMENT_UPLOAD,
                details={"kind": kind, "content_type": file_type.content_type, "size": size},
            )
    except IntegrityError:
        # Another request stored the same file for this patient a moment ago.
        storage.delete(stored_name)
        return Document.objects.get(patient=patient, sha256=digest), False
    except BaseException:
        storage.delete(stored_name)
        raise
    return document, True


def record_access(
    document: Document, *, actor: User | None, ctx: AuditContext, download: bool
) -> None:
    """Audit one opening of the file (shown inline or downloaded)."""
    record(
        DOCUMENT_DOWNLOAD if download else DOCUMENT_VIEW,
        ctx=ctx,
        actor=actor,
        clinic=document.patient.clinic,
        patient_id=document.patient_id,
        obj=document,
        details={"kind": document.kind},
    )
