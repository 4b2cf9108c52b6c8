"""Where signed PDFs are stored follows the STORAGES setting, even after the models are built."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.test import override_settings

from annulus.consents.models import TreatmentConsent, consent_storage


def _moved(config: dict[str, Any], folder: Path) -> dict[str, Any]:
    storages = {name: dict(value) for name, value in config.items()}
    storages["consents"]["OPTIONS"] = {**storages["consents"]["OPTIONS"], "location": str(folder)}
    return storages


def test_the_pdf_field_writes_where_the_setting_says_now(
    private_files: Path, settings: Any, tmp_path: Path
) -> None:
    field_storage = TreatmentConsent._meta.get_field("pdf").storage  # built at import
    # This test's folder (conftest's private_files), not the checkout's var/private.
    assert Path(field_storage.location) == private_files / "private"
    with override_settings(STORAGES=_moved(settings.STORAGES, tmp_path / "elsewhere")):
        assert Path(field_storage.location) == tmp_path / "elsewhere"
        assert consent_storage().location == field_storage.location
    assert Path(field_storage.location) == private_files / "private"
