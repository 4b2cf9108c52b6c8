"""The two settings this feature reads from the environment refuse bad values at start-up."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def load_settings(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import annulus.settings as s; print(s.ANNULUS_SITE_URL)"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ANNULUS_SITE_URL", "clinic.example.org", "must start with http:// or https://"),
        ("ANNULUS_UPLOAD_MAX_BYTES", "lots", "must be a whole number"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(name, value, message):
    result = load_settings(**{name: value})
    assert result.returncode != 0
    assert name in result.stderr and message in result.stderr


def test_the_site_url_loses_its_trailing_slash():
    result = load_settings(ANNULUS_SITE_URL="https://clinic.example.org/")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://clinic.example.org"
