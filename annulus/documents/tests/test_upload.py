from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from annulus.audit.context import AuditContext
from annulus.documents.actions import DocumentRefused, add_document
from annulus.documents.models import Document, Kind
from annulus.documents.tests.conftest import EXE_BYTES, PDF_BYTES, PNG_BYTES
from annulus.patients.models import ChangeRecord, Patient
from annulus.testing import audit_actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(clinic: Any) -> Patient:
    return Patient.objects.create(
        clinic=clinic, first_name="Avery", last_name="Sample", date_of_birth=date(1979, 3, 2)
    )


def url(patient: Patient) -> str:
    return f"/staff/patients/{patient.pk}/documents/"


def upload(client: Any, patient: Patient, content: bytes, name: str = "report.pdf", **extra: Any):
    data = {"kind": Kind.MRI_REPORT, "title": "Outside MRI", **extra}
    if content is not None:
        data["file"] = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(url(patient), data)


def stored_files(location: Any) -> list[Any]:
    return [p for p in location.rglob("*") if p.is_file()] if location.exists() else []


def test_it_stores_a_pdf_under_an_internal_id_with_its_sha256(
    staff_client, patient, document_store
):
    response = upload(staff_client, patient, PDF_BYTES, name="Avery Sample MRI.pdf")
    assert response.status_code == 302
    document = Document.objects.get(patient=patient)
    assert document.content_type == "application/pdf"
    assert document.size == len(PDF_BYTES)
    import hashlib

    assert document.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    files = stored_files(document_store)
    assert len(files) == 1
    assert "Avery" not in files[0].name and files[0].read_bytes() == PDF_BYTES
    assert "document.upload" in audit_actions(patient_id=patient.pk)
    assert ChangeRecord.objects.filter(patient=patient).exists()


def test_it_accepts_a_png_image(staff_client, patient):
    assert upload(staff_client, patient, PNG_BYTES, name="scan.png").status_code == 302
    assert Document.objects.get(patient=patient).content_type == "image/png"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (EXE_BYTES, "report.pdf", "not a PDF, PNG or JPEG"),
        (b"<html><script>alert(1)</script></html>", "letter.pdf", "not a PDF, PNG or JPEG"),
        (b"", "empty.pdf", "The file is empty"),
    ],
)
def test_it_refuses_bad_files_naming_the_field_and_stores_nothing(
    staff_client, patient, document_store, content, name, message
):
    response = upload(staff_client, patient, content, name=name)
    assert response.status_code == 400
    form = response.context["form"]
    assert message in " ".join(form.errors["file"])
    assert message in response.content.decode()
    assert not Document.objects.exists()
    assert stored_files(document_store) == []


def test_it_refuses_a_file_over_the_size_limit(staff_client, patient, settings, document_store):
    settings.ANNULUS_UPLOAD_MAX_BYTES = 100
    response = upload(staff_client, patient, PDF_BYTES + b"x" * 200)
    assert response.status_code == 400
    assert "the limit is" in " ".join(response.context["form"].errors["file"])
    assert not Document.objects.exists()
    assert stored_files(document_store) == []


def test_it_asks_for_a_file_and_a_kind(staff_client, patient):
    response = staff_client.post(url(patient), {"kind": "", "title": ""})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "Choose a file to upload." in errors["file"]
    assert "kind" in errors


def test_a_double_submit_stores_one(staff_client, patient, document_store):
    upload(staff_client, patient, PDF_BYTES)
    second = upload(staff_client, patient, PDF_BYTES)
    assert second.status_code == 302
    assert Document.objects.filter(patient=patient).count() == 1
    assert len(stored_files(document_store)) == 1


def test_a_failed_row_write_leaves_no_file(patient, clinician, document_store, monkeypatch):
    from annulus.documents import actions

    def explode(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(actions, "save_clinical", explode)
    with pytest.raises(RuntimeError):
        add_document(
            patient,
            SimpleUploadedFile("a.pdf", PDF_BYTES),
            kind=Kind.OTHER,
            actor=clinician,
            ctx=AuditContext.system("test"),
        )
    assert stored_files(document_store) == []
    assert not Document.objects.exists()


def test_the_action_refuses_an_unknown_kind(patient, clinician):
    with pytest.raises(DocumentRefused) as refused:
        add_document(
            patient,
            SimpleUploadedFile("a.pdf", PDF_BYTES),
            kind="xray",
            actor=clinician,
            ctx=AuditContext.system("test"),
        )
    assert refused.value.field == "kind"


def test_the_file_is_shown_inline_with_safe_headers_and_audited(staff_client, patient):
    upload(staff_client, patient, PDF_BYTES)
    document = Document.objects.get()
    response = staff_client.get(f"{url(patient)}{document.pk}/file/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert "Sample" not in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    download = staff_client.get(f"{url(patient)}{document.pk}/file/?download=1")
    assert download["Content-Disposition"].startswith("attachment")
    actions = audit_actions(patient_id=patient.pk)
    assert "document.view" in actions and "document.download" in actions


def test_another_clinics_staff_get_404(client, patient, outsider):
    from annulus.testing import sign_in

    sign_in(client, outsider)
    assert client.get(url(patient)).status_code == 404
    document, _ = add_document(
        patient,
        SimpleUploadedFile("a.pdf", PDF_BYTES),
        kind=Kind.OTHER,
        actor=None,
        ctx=AuditContext.system("test"),
    )
    assert client.get(f"{url(patient)}{document.pk}/file/").status_code == 404
    assert upload(client, patient, PNG_BYTES).status_code == 404
    assert "document.view" not in audit_actions(patient_id=patient.pk)


def test_a_document_of_another_patient_is_404(staff_client, patient, clinic):
    other = Patient.objects.create(clinic=clinic, first_name="Blake", last_name="Other")
    document, _ = add_document(
        other,
        SimpleUploadedFile("a.pdf", PDF_BYTES),
        kind=Kind.OTHER,
        actor=None,
        ctx=AuditContext.system("test"),
    )
    assert staff_client.get(f"{url(patient)}{document.pk}/file/").status_code == 404


def test_verify_passes_then_names_an_altered_and_a_missing_file(patient, document_store, capsys):
    ctx = AuditContext.system("test")
    first, _ = add_document(
        patient, SimpleUploadedFile("a.pdf", PDF_BYTES), kind=Kind.OTHER, actor=None, ctx=ctx
    )
    second, _ = add_document(
        patient, SimpleUploadedFile("b.png", PNG_BYTES), kind=Kind.OTHER, actor=None, ctx=ctx
    )
    call_command("documents", "verify")
    assert "All 2 documents match" in capsys.readouterr().out

    (document_store / first.storage_name).write_bytes(PDF_BYTES + b"tampered")
    (document_store / second.storage_name).unlink()
    with pytest.raises(CommandError, match="2 of 2 documents failed"):
        call_command("documents", "verify")
    err = capsys.readouterr().err
    assert f"document #{first.pk}: SHA-256 mismatch" in err
    assert f"document #{second.pk}: stored file missing" in err
