"""The standalone medical disclaimer page (issue 12, item 7) and the footer link to it."""

from __future__ import annotations

import re

import pytest

from annulus.website.content import library

pytestmark = pytest.mark.django_db


def test_it_shows_the_full_disclaimer_on_its_own_page(client, site_clinic):
    response = client.get("/disclaimer/")

    assert response.status_code == 200
    html = response.content.decode()
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert '<h1 id="disclaimer-title">Medical disclaimer</h1>' in main
    assert "This page is general information, not medical advice." in main
    assert "off-label" in main
    assert "Results vary" in main
    assert "33.5%" in main and "39.3%" in main
    assert "intradiscally" in main
    assert "<title>Medical disclaimer · " in html
    assert '<link rel="canonical" href="http://testserver/disclaimer/">' in html


def test_it_does_not_repeat_the_short_disclaimer_in_that_page_footer(client, site_clinic):
    html = client.get("/disclaimer/").content.decode()

    footer = html.split("<footer", 1)[1]
    assert 'id="disclaimer-heading"' not in footer
    assert '<a href="/disclaimer/" aria-current="page">Medical disclaimer</a>' in footer


@pytest.mark.parametrize("path", ["/", "/learn/", "/learn/evidence/", "/guide/", "/screen/"])
def test_every_public_page_links_to_it_from_the_footer(client, site_clinic, path):
    footer = client.get(path).content.decode().split("<footer", 1)[1]

    assert 'href="/disclaimer/"' in footer
    assert "Read the full medical disclaimer" in footer


def test_the_short_disclaimer_names_the_off_label_use_and_that_results_vary():
    text = library().disclaimer_text

    assert "off-label" in text
    assert "Results vary" in text
    assert "saline" in text


def test_it_is_in_the_sitemap(client, site_clinic):
    locs = re.findall(r"<loc>([^<]+)</loc>", client.get("/sitemap.xml").content.decode())

    assert "http://testserver/disclaimer/" in locs


def test_it_refuses_to_change_anything(client, site_clinic):
    assert client.post("/disclaimer/").status_code == 405


def test_it_shows_the_full_disclaimer_in_spanish_at_its_spanish_address(client, site_clinic):
    html = client.get("/es/disclaimer/").content.decode()
    main = html.split("<main", 1)[1].split("</main>", 1)[0]

    assert "La inyección de fibrina no es un tratamiento probado" in main
    assert "33.5%" in main and "39.3%" in main and "suero salino" in main
    assert "Uso fuera de indicación" in main
    assert "Results vary" not in main and "Information, not medical advice" not in main
