"""The director's research export page."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.test import Client

from annulus.accounts.models import User
from annulus.testing import sign_in


def test_it_lets_the_director_download_the_export(client: Client, demo_clinic: Any) -> None:
    sign_in(client, User.objects.get(email="director@demo.annulus.test"))
    page = client.get("/staff/research/")
    assert page.status_code == 200
    response = client.post("/staff/research/download/", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert "patients.csv" in names and "data_dictionary.csv" in names
    assert "Written" in client.get("/staff/research/").content.decode()


def test_it_is_for_the_director_only(client: Client, demo_clinic: Any) -> None:
    sign_in(client, User.objects.get(email="clinician@demo.annulus.test"))
    assert client.get("/staff/research/").status_code == 403
    assert client.post("/staff/research/download/", {"format": "csv"}).status_code == 403
