"""A Spanish-speaking patient's survey: email and pages in Spanish; our own questions in
Spanish; licensed questionnaires and the PHQ-9 in English, said so and marked `lang="en"`."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from annulus.notifications.models import OutboundEmail
from annulus.outcomes import actions
from annulus.outcomes.models import Invitation

pytestmark = pytest.mark.django_db


def test_the_survey_email_and_pages_follow_the_patient_s_language(patient):
    patient.language = "es"
    patient.save(update_fields=["language"])
    actions.enrol(patient)
    baseline = Invitation.objects.get(follow_up__patient=patient, code="baseline")
    _, token = actions.reissue(baseline)
    email = OutboundEmail.objects.filter(patient_id=patient.pk).latest("id")
    assert email.subject.startswith("Su cuestionario de ")
    assert "Abra su cuestionario:" in email.body_text
    assert "/es/survey/" in email.body_text and "Open your questionnaire" not in email.body_text

    visitor = Client()
    opened = visitor.get(f"/es/survey/{token}/")
    assert opened.status_code == 302 and opened["Location"].startswith("/es/survey/")
    html = visitor.get(opened["Location"]).content.decode()
    assert '<html lang="es">' in html
    assert "Guardar y continuar" in html
    by_instrument = {}
    for page in actions.survey_pages(baseline):
        by_instrument.setdefault(page.instrument.id, page.number)
    assert {"nrs-back", "odi"} <= set(by_instrument)

    # Our own question: in Spanish, not marked English, no "shown in English" note.
    own = visitor.get(f"/es/survey/?page={by_instrument['nrs-back']}").content.decode()
    assert "¿qué tan fuerte ha sido, en promedio, el dolor en la parte baja de su espalda?" in own
    assert "0: ningún dolor" in own and "Dolor en la parte baja de la espalda, 0-10" in own
    assert '<legend lang="en">' not in own and "se muestran en inglés" not in own
    # A licensed questionnaire without installed Spanish text: said so, and marked English.
    licensed = visitor.get(f"/es/survey/?page={by_instrument['odi']}").content.decode()
    assert "Es un cuestionario con licencia" in licensed
    assert '<legend lang="en">' in licensed


def test_the_phq9_stays_english_with_the_reason_and_our_answers_are_the_english_ones(patient):
    from annulus.outcomes import library
    from annulus.outcomes.own_wording import in_language

    with translation.override("es"):
        assert in_language(library.shipped("phq9")) is None
        assert in_language(library.shipped("odi")) is None
        spanish = in_language(library.shipped("pgic"))
    english = library.shipped("pgic")
    assert spanish is not None and spanish.title == "Cambio general desde el tratamiento"
    # Only the words change: ids and values are the English file's, so answers score the same.
    assert [(i.id, i.values) for i in spanish.items] == [(i.id, i.values) for i in english.items]
    assert [o.label for o in spanish.items[0].options][3] == "Sin cambios"
    patient.language = "es"
    patient.save(update_fields=["language"])
    actions.enrol(patient)
    baseline = Invitation.objects.get(follow_up__patient=patient, code="baseline")
    Invitation.objects.filter(pk=baseline.pk).update(instruments=["phq9", "pgic"])
    _, token = actions.reissue(baseline)
    visitor = Client()
    visitor.get(f"/es/survey/{token}/")
    phq9 = visitor.get("/es/survey/?page=1").content.decode()
    assert "Existe una versión oficial en español, pero solo mostramos textos" in phq9
    assert "Little interest or pleasure in doing things" in phq9  # verbatim, the English
    assert "Pfizer" in phq9 and '<legend lang="en">' in phq9
    pgic = visitor.get("/es/survey/?page=2").content.decode()
    assert "Muchísimo mejor" in pgic and "se muestran en inglés" not in pgic


def test_every_own_question_text_is_listed_for_makemessages_and_translated():
    from annulus.outcomes import library
    from annulus.outcomes.own_wording import MESSAGES, OWN_INSTRUMENTS, patient_texts

    texts = {t for i in OWN_INSTRUMENTS for t in patient_texts(library.shipped(i))}
    assert texts <= set(MESSAGES), sorted(texts - set(MESSAGES))
    with translation.override("es"):
        assert [t for t in texts if translation.gettext(t) == t] == []
    for instrument_id in OWN_INSTRUMENTS:  # ours: open, no licence holder, no attribution
        instrument = library.shipped(instrument_id)
        assert instrument.licence.status == "open" and instrument.licence.holder is None
        assert instrument.attribution is None


def test_an_english_patient_s_survey_is_unchanged(patient):
    actions.enrol(patient)
    baseline = Invitation.objects.get(follow_up__patient=patient, code="baseline")
    _, token = actions.reissue(baseline)
    email = OutboundEmail.objects.filter(patient_id=patient.pk).latest("id")
    assert email.subject.startswith("Your questionnaire from ")
    assert "/es/" not in email.body_text
    visitor = Client()
    html = visitor.get(visitor.get(f"/survey/{token}/")["Location"]).content.decode()
    assert "Save and continue" in html and 'lang="en">' not in html.split("<body", 1)[1]
