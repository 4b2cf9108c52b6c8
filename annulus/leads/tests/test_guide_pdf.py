from __future__ import annotations

import pytest

from annulus.leads.guide_pdf import build_guide_pdf, guide_html

pytestmark = pytest.mark.django_db


def test_it_prints_the_guide_from_the_markdown_with_the_clinic_and_disclaimer(
    site_clinic, guide_dir
):
    html = guide_html(site_clinic)
    assert "First: warning signs that need urgent care" in html
    assert "1 Test Street" in html and "+1 555 0142" in html
    assert "This page is general information, not medical advice." in html
    pdf = build_guide_pdf(site_clinic)
    assert pdf.content.startswith(b"%PDF-")
    assert pdf.path.parent == guide_dir


def test_it_reuses_the_pdf_while_the_content_is_unchanged(site_clinic, guide_dir):
    first = build_guide_pdf(site_clinic)
    mtime = first.path.stat().st_mtime_ns
    second = build_guide_pdf(site_clinic)
    assert second.version == first.version
    assert second.path.stat().st_mtime_ns == mtime


def test_it_prints_a_new_pdf_when_the_guide_changes(site_clinic, guide_dir, content_copy):
    first = build_guide_pdf(site_clinic)
    path = content_copy / "guide.md"
    path.write_text(path.read_text() + "\n\nA new closing paragraph.\n")
    second = build_guide_pdf(site_clinic)
    assert second.version != first.version
    assert second.path.exists() and first.path.exists()
    assert "A new closing paragraph." in guide_html(site_clinic)


def test_it_prints_a_new_pdf_when_the_clinic_phone_changes(site_clinic, guide_dir):
    first = build_guide_pdf(site_clinic)
    site_clinic.phone = "+1 555 0999"
    assert build_guide_pdf(site_clinic).version != first.version


def test_it_fetches_nothing_while_printing(site_clinic, guide_dir, monkeypatch):
    from annulus.leads import guide_pdf

    monkeypatch.setattr(
        guide_pdf,
        "guide_html",
        lambda clinic, language="en": '<p>x</p><img src="https://tracker.example.net/p.gif">',
    )
    import weasyprint.urls

    def refuse(*args, **kwargs):
        raise AssertionError("WeasyPrint tried to open a network URL")

    monkeypatch.setattr(weasyprint.urls.URLFetcher, "open", refuse)
    assert build_guide_pdf(site_clinic).content.startswith(b"%PDF-")


def test_it_prints_the_spanish_guide_in_spanish_as_its_own_file(site_clinic, guide_dir):
    html = guide_html(site_clinic, "es")
    assert '<html lang="es">' in html
    assert "Primero: señales de alarma que necesitan atención urgente" in html
    assert "Una guía gratuita de " in html and "Aviso médico." in html
    assert "suero salino" in html and "First: warning signs" not in html
    assert "Página" in html  # the page footer
    spanish, english = build_guide_pdf(site_clinic, "es"), build_guide_pdf(site_clinic)
    assert spanish.version != english.version
    assert spanish.filename.endswith("-guia-sobre-el-dolor-de-disco.pdf")
    assert spanish.content.startswith(b"%PDF-")
