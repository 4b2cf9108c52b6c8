"""Ten simultaneous uploads of the same file for one patient: one row, one stored file."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from annulus.audit.context import AuditContext
from annulus.documents.actions import add_document
from annulus.documents.models import Document, Kind
from annulus.documents.tests.conftest import PDF_BYTES
from annulus.patients.models import Patient

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_double_submits_store_one(clinic, document_store):
    patient = Patient.objects.create(clinic=clinic, first_name="Casey", last_name="Example")
    n = 10
    barrier = threading.Barrier(n, timeout=60)

    def upload(i: int) -> Any:
        try:
            barrier.wait()
            document, created = add_document(
                patient,
                SimpleUploadedFile(f"copy{i}.pdf", PDF_BYTES),
                kind=Kind.REFERRAL_LETTER,
                actor=None,
                ctx=AuditContext.system("test"),
            )
            return document.pk, created
        except Exception as exc:
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=n) as pool:
        results = list(pool.map(upload, range(n)))

    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({pk for pk, _ in results}) == 1
    assert sum(1 for _, created in results if created) == 1
    assert Document.objects.filter(patient=patient).count() == 1
    assert len([p for p in document_store.rglob("*") if p.is_file()]) == 1
