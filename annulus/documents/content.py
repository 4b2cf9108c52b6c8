"""What an uploaded file is, judged by its first bytes, and its SHA-256.

The name a browser sends and its Content-Type header are the sender's claims; only the content
decides. Anything that is not a PDF, PNG or JPEG (an executable renamed `.pdf`, a script, an
HTML page) is refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO

from django.conf import settings

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str
    label: str


PDF = FileType("application/pdf", "pdf", "PDF")
PNG = FileType("image/png", "png", "PNG image")
JPEG = FileType("image/jpeg", "jpg", "JPEG image")
ALLOWED = (PDF, PNG, JPEG)
BY_CONTENT_TYPE = {t.content_type: t for t in ALLOWED}

_SIGNATURES: tuple[tuple[bytes, FileType], ...] = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
)


def max_upload_bytes() -> int:
    value = getattr(settings, "ANNULUS_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES)
    return int(value)


def sniff(head: bytes) -> FileType | None:
    """The file's type from its first bytes, or None when it is not one we accept."""
    for signature, file_type in _SIGNATURES:
        if head.startswith(signature):
            return file_type
    return None


def sniff_file(stream: IO[bytes]) -> FileType | None:
    stream.seek(0)
    head = stream.read(16)
    stream.seek(0)
    return sniff(head)


def sha256_of_chunks(chunks: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()


def sha256_of_stream(stream: IO[bytes], chunk_size: int = 1024 * 1024) -> str:
    stream.seek(0)
    digest = sha256_of_chunks(iter(lambda: stream.read(chunk_size), b""))
    stream.seek(0)
    return digest
