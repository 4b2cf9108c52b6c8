from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from annulus.consents.texts import TEXTS_DIR
from annulus.patients.models import Patient


@pytest.fixture(autouse=True)
def private_files(settings: Any, tmp_path: Path) -> Path:
    """Signed PDFs go to a temporary folder; consent texts are a copy that tests may extend."""
    storages = dict(settings.STORAGES)
    storages["consents"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "private")},
    }
    settings.STORAGES = storages
    texts = tmp_path / "texts"
    shutil.copytree(TEXTS_DIR, texts)
    settings.ANNULUS_CONSENT_TEXTS_DIR = str(texts)
    return tmp_path


@pytest.fixture
def texts_dir(private_files: Path) -> Path:
    return private_files / "texts"


@pytest.fixture
def patient(clinic: Any) -> Patient:
    return Patient.objects.create(
        clinic=clinic, first_name="Robin", last_name="Example", date_of_birth=date(1980, 5, 4)
    )
