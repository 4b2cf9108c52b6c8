"""Stored answers name the language their questions were read in (issue #18).

The instrument file, version and hash are the English ones either way (our own questions are
translated with gettext), so the language is stored beside them: set when a page is saved,
shown to staff, never used in scoring.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from annulus.outcomes import actions
from annulus.outcomes.models import InstrumentResponse, Invitation
from annulus.outcomes.tests.conftest import make_patient

pytestmark = pytest.mark.django_db

SCORED = ("score", "raw", "band", "interpretation", "answered", "expected", "score_reason")


def _answer_all(patient, prefix: str) -> dict[str, InstrumentResponse]:
    """Enrol, ask the PHQ-9 (always English) and the PGIC (ours: translated), answer every
    item with its first value through the patient's pages, and send."""
    actions.enrol(patient)
    baseline = Invitation.objects.get(follow_up__patient=patient, code="baseline")
    Invitation.objects.filter(pk=baseline.pk).update(instruments=["phq9", "pgic"])
    baseline.refresh_from_db()
    _, token = actions.reissue(baseline)
    visitor = Client()
    visitor.get(f"{prefix}/survey/{token}/")
    first = visitor.get(f"{prefix}/survey/?page=1").content.decode()
    ref = re.search(r'name="ref" value="([0-9a-f]{32})"', first).group(1)
    pages = actions.survey_pages(baseline)
    for page in pages:
        answers = {item.id: item.values[0] for item in page.section.items}
        saved = visitor.post(f"{prefix}/survey/?page={page.number}", {"ref": ref, **answers})
        assert saved.status_code == 302, saved.content.decode()[:2000]
    visitor.post(f"{prefix}/survey/?page={len(pages) + 1}", {"ref": ref, "send": "1"})
    parts = InstrumentResponse.objects.filter(response__invitation=baseline)
    assert all(p.response.finished for p in parts)
    return {p.instrument_id: p for p in parts}


def test_answers_record_the_language_shown_and_score_the_same(clinic, staff_client):
    spanish = make_patient(clinic, email="ana@example.test", first="Ana")
    spanish.language = "es"
    spanish.save(update_fields=["language"])
    english = make_patient(clinic, email="robin@example.test", first="Robin")

    in_spanish = _answer_all(spanish, "/es")
    in_english = _answer_all(english, "")

    # The PGIC was shown in Spanish; the PHQ-9 stays English on a Spanish page, and says so.
    assert in_spanish["pgic"].language == "es"
    assert in_spanish["phq9"].language == "en"
    assert {p.language for p in in_english.values()} == {"en"}
    # Same file, same answers, same scores: the language changes nothing else.
    for instrument_id, part in in_spanish.items():
        other = in_english[instrument_id]
        assert part.instrument_sha256 == other.instrument_sha256
        assert part.answers == other.answers
        assert part.score is not None
        assert [getattr(part, f) for f in SCORED] == [getattr(other, f) for f in SCORED]

    staff_page = staff_client.get(f"/staff/patients/{spanish.pk}/outcomes/").content.decode()
    assert staff_page.count("answered in Spanish") == 1  # the PGIC only
    english_page = staff_client.get(f"/staff/patients/{english.pk}/outcomes/").content.decode()
    assert "answered in" not in english_page


def test_the_saving_action_stores_the_language_and_audits_it(patient):
    from annulus.audit.models import AuditEvent

    actions.enrol(patient)
    baseline = Invitation.objects.get(follow_up__patient=patient, code="baseline")
    link, _ = actions.reissue(baseline)
    response = actions.open_response(link)
    page = actions.survey_pages(baseline)[0]
    part = actions.save_section(response, page, {page.section.items[0].id: 3}, language="es")
    part.refresh_from_db()
    assert part.language == "es"
    event = AuditEvent.objects.filter(action="outcomes.survey.save").latest("id")
    assert event.details["language"] == "es"
