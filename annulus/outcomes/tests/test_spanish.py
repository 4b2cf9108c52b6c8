"""A Spanish-speaking patient's survey: email and pages in Spanish, questions marked English."""

from __future__ import annotations

import pytest
from django.test import Client

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
    # The questionnaire text has no Spanish version installed: said so, and marked English.
    assert "Las preguntas en sí se muestran en inglés" in html
    assert '<legend lang="en">' in html


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
