"""Consent texts are versioned files that say what the evidence says."""

from __future__ import annotations

import re

import pytest

from annulus.consents.texts import ConsentTextError, current_version, load_text


def test_the_discography_consent_names_carragee_2009_and_the_later_low_pressure_study():
    text = load_text("discography")
    body = " ".join(text.paragraphs)
    assert "2009" in body and "Carragee" in body and "faster degeneration" in body
    assert "McCormick" in body and "low pressure" in body
    assert dict(text.references)["D5"].startswith("Carragee EJ et al. Spine 2009")
    assert any("2009 study found faster disc degeneration" in s.text for s in text.statements)


def test_the_fibrin_consent_has_the_saline_and_fda_statements_and_the_trial_figures():
    text = load_text("fibrin-procedure")
    statements = " ".join(s.text for s in text.statements)
    assert "this treatment failed against saline in its randomized trial" in statements
    assert "it is not FDA-approved for this use" in statements
    body = " ".join(text.paragraphs)
    assert "33.5 %" in body and "39.3 %" in body and "off-label" in body
    assert "into the disc (intradiscally)" in body and "Results vary" in body


def test_each_file_names_its_version_and_a_sha256(texts_dir):
    assert current_version("fibrin-procedure") == 1
    assert len(load_text("fibrin-procedure").sha256) == 64


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s + "\nextra: 1\n", "unknown keys extra"),
        (lambda s: s.replace("version: 2", "version: 3"), "version must be 2"),
        (lambda s: s.replace("id: understood", "id: risks"), "statements need unique ids"),
    ],
)
def test_a_malformed_text_file_is_refused_naming_the_problem(texts_dir, edit, message):
    v1 = (texts_dir / "discography" / "v1.yaml").read_text()
    (texts_dir / "discography" / "v2.yaml").write_text(edit(v1.replace("version: 1", "version: 2")))
    with pytest.raises(ConsentTextError, match=message):
        load_text("discography")


# ---- the Spanish texts (issue #18): same statements, same evidence, no stronger claim ---------


def test_the_spanish_discography_consent_names_carragee_2009_and_the_low_pressure_study():
    text = load_text("discography", language="es")
    body = " ".join(text.paragraphs)
    assert "2009" in body and "Carragee" in body and "degeneraron más rápido" in body
    assert "McCormick" in body and "baja presión" in body and "no encontró" in body
    assert text.references == load_text("discography").references
    assert any("2009 encontró una degeneración más rápida" in s.text for s in text.statements)


def test_the_spanish_fibrin_consent_has_the_saline_and_fda_statements_and_the_figures():
    text, english = load_text("fibrin-procedure", language="es"), load_text("fibrin-procedure")
    statements = {s.id: s.text for s in text.statements}
    assert "fracasó frente a la solución salina" in statements["failed-vs-saline"]
    assert "aleatorizado" in statements["failed-vs-saline"]
    assert "no está aprobado por la FDA para este uso" in statements["not-fda-approved"]
    body = " ".join(text.paragraphs)
    assert "33,5 %" in body and "39,3 %" in body and "NCT01011816" in body
    assert "se detuvo por falta de eficacia" in body and "off-label" in body
    assert "(intradiscal)" in body and "Los resultados varían" in body
    # Every figure of the English text is in the Spanish one (decimal comma aside).
    figures = set(re.findall(r"\d+(?:\.\d+)?", " ".join(english.paragraphs)))
    assert {f.replace(".", ",") for f in figures} <= set(re.findall(r"\d+(?:,\d+)?", body))


@pytest.mark.parametrize("kind", ["discography", "fibrin-procedure"])
def test_the_current_version_has_a_spanish_file_with_its_own_hash(kind):
    english, spanish = load_text(kind), load_text(kind, language="es")
    assert spanish.version == english.version and spanish.language == "es"
    assert spanish.statement_ids == english.statement_ids
    assert spanish.sha256 != english.sha256
