"""A Spanish-speaking patient reads and signs the consent in Spanish (issue #18).

The Spanish text is its own file with its own SHA-256, on the same version number as the English
one, with the same statements; the consent records version and language; the signing page, its
errors and the stored PDF copy are Spanish. Without a Spanish file for the current version the
patient gets the English text, and a text change is still a new version signed as a new row.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from annulus.audit.models import AuditEvent
from annulus.consents.actions import valid_consent
from annulus.consents.models import TreatmentConsent
from annulus.consents.pdf import consent_context
from annulus.consents.testing import pdf_language
from annulus.consents.tests.test_consents import FIBRIN, make_link, prepare
from annulus.consents.texts import ConsentTextError, load_text

ES = "es"


@pytest.fixture
def spanish(patient):
    patient.language = ES
    patient.save(update_fields=["language"])
    return patient


def spanish_signature(name: str = "Robin Example", kind: str = FIBRIN) -> dict[str, str]:
    data = {f"statement_{s.id}": "on" for s in load_text(kind, language=ES).statements}
    data["typed_name"] = name
    return data


def test_a_spanish_patient_signs_the_spanish_text_and_the_pdf_is_spanish(staff_client, spanish):
    consent = prepare(staff_client, spanish)
    english, text = load_text(FIBRIN), load_text(FIBRIN, language=ES)
    assert (consent.text_version, consent.text_language) == (1, ES)
    assert consent.text_sha256 == text.sha256 != english.sha256
    page = staff_client.get(f"/staff/patients/{spanish.pk}/consents/").content.decode()
    assert "version 1 in Spanish" in page  # staff pages stay English

    url = make_link(staff_client, spanish, consent)
    assert url.startswith("/es/consent/")
    own = Client()
    assert own.get(url)["Location"] == "/es/consent/"
    # Opened at the English address, the Spanish text's page moves to its Spanish address.
    assert own.get("/consent/")["Location"] == "/es/consent/"
    html = own.get("/es/consent/").content.decode()
    assert '<html lang="es"' in html
    assert "fracasó frente a la solución salina" in html
    assert "no está aprobado por la FDA para este uso" in html
    assert "Marque cada declaración" in html and "Firmar el consentimiento" in html
    assert "failed against saline" not in html
    # The version line names the language in Spanish, not by its code.
    assert f"{FIBRIN} v1, español)" in html and "v1, es)" not in html

    missing = spanish_signature()
    del missing["statement_not-fda-approved"]
    errors = own.post("/es/consent/", missing).content.decode()
    assert "Declaración 3 de 7: márquela para firmar." in errors
    wrong = own.post("/es/consent/", spanish_signature(name="Otra Persona")).content.decode()
    assert "escriba su nombre y su apellido tal como los tiene la clínica" in wrong

    response = own.post("/es/consent/", spanish_signature())
    assert response["Location"] == "/es/consent/done/"
    assert (
        "Gracias, su consentimiento está firmado" in own.get("/es/consent/done/").content.decode()
    )
    consent.refresh_from_db()
    assert consent.signed_statements == list(english.statement_ids)
    data = consent.pdf.read()
    assert hashlib.sha256(data).hexdigest() == consent.pdf_sha256
    assert pdf_language(data) == ES
    sign = AuditEvent.objects.get(patient_id=spanish.pk, action="consent.sign")
    assert sign.details["language"] == ES and sign.details["version"] == 1
    assert valid_consent(spanish, FIBRIN) == consent


def test_the_pdf_copy_is_made_of_the_spanish_words(spanish):
    consent = TreatmentConsent(
        patient=spanish, kind=FIBRIN, text_version=1, text_language=ES, signed_channel="link"
    )
    text = load_text(FIBRIN, language=ES)
    with translation.override(ES):
        html = render_to_string("consents/consent_pdf.html", consent_context(consent, text))
    assert '<html lang="es">' in html
    for words in ("Declaraciones", "Firma", "Con el enlace seguro del paciente", "33,5 %"):
        assert words in html, words
    assert "Statements" not in html and "Signed by" not in html


def test_an_english_patient_still_gets_the_english_text(staff_client, patient):
    consent = prepare(staff_client, patient)
    assert consent.text_language == "en"
    url = make_link(staff_client, patient, consent)
    assert url.startswith("/consent/")
    own = Client()
    own.get(url)
    assert f"{FIBRIN} v1, English)" in own.get("/consent/").content.decode()


def test_without_a_spanish_file_for_the_current_version_the_patient_gets_english(
    staff_client, spanish, texts_dir: Path
):
    first = prepare(staff_client, spanish)
    own = Client()
    own.get(make_link(staff_client, spanish, first))
    own.post("/es/consent/", spanish_signature())
    # Version 2 is released in English only: the Spanish patient signs it in English, as a new
    # row, and the Spanish version 1 they signed stays on the record.
    v1 = (texts_dir / FIBRIN / "v1.yaml").read_text()
    (texts_dir / FIBRIN / "v2.yaml").write_text(v1.replace("version: 1", "version: 2"))
    assert valid_consent(spanish, FIBRIN) is None
    renewed = prepare(staff_client, spanish)
    assert (renewed.text_version, renewed.text_language) == (2, "en")
    # Then version 2 in Spanish: the next consent prepared is Spanish again.
    es1 = (texts_dir / FIBRIN / "v1.es.yaml").read_text()
    (texts_dir / FIBRIN / "v2.es.yaml").write_text(es1.replace("version: 1", "version: 2"))
    again = prepare(staff_client, spanish)
    assert (again.text_version, again.text_language) == (2, ES)
    own = Client()
    own.get(make_link(staff_client, spanish, again))
    own.post("/es/consent/", spanish_signature())
    signed = TreatmentConsent.objects.signed().filter(patient=spanish).order_by("text_version")
    assert [(c.text_version, c.text_language) for c in signed] == [(1, ES), (2, ES)]
    assert signed[0].text_sha256 != signed[1].text_sha256


def test_a_translation_must_have_the_statements_of_its_english_version(texts_dir: Path):
    path = texts_dir / "discography" / "v1.es.yaml"
    path.write_text(path.read_text().replace("id: voluntary", "id: voluntario"))
    with pytest.raises(ConsentTextError, match=r"statements must be those of v1\.yaml"):
        load_text("discography", 1, ES)


def test_a_translation_names_its_own_language(texts_dir: Path):
    path = texts_dir / "discography" / "v1.es.yaml"
    path.write_text(path.read_text().replace("language: es", "language: en"))
    with pytest.raises(ConsentTextError, match="language must be 'es'"):
        load_text("discography", 1, ES)
