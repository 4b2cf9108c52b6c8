"""Re-check every stored document against the SHA-256 taken at ingest (the weekly scrub)."""

from __future__ import annotations

from dataclasses import dataclass, field

from annulus.documents.content import sha256_of_chunks
from annulus.documents.models import Document
from annulus.documents.storage import document_storage


@dataclass
class ScrubReport:
    checked: int = 0
    missing: list[int] = field(default_factory=list)
    mismatched: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.mismatched


def verify_documents() -> ScrubReport:
    storage = document_storage()
    report = ScrubReport()
    for document in Document.objects.order_by("pk").only("pk", "sha256", "storage_name"):
        report.checked += 1
        try:
            with storage.open(document.storage_name, "rb") as handle:
                digest = sha256_of_chunks(handle.chunks())
        except FileNotFoundError:
            report.missing.append(document.pk)
            continue
        if digest != document.sha256:
            report.mismatched.append(document.pk)
    return report
