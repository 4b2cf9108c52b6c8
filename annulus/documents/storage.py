"""Where document bytes live: Django's storage API, alias "documents".

Local disk under var/documents by default (settings.STORAGES["documents"]); an S3-compatible store
is a settings change to that alias (django-storages' S3 backend), no code change.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages


def document_storage() -> Storage:
    if "documents" in settings.STORAGES:
        return storages["documents"]
    return FileSystemStorage(location=settings.VAR_DIR / "documents")
