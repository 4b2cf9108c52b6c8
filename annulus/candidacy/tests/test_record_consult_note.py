"""The consult note PDF: decision, rationale, alternatives, review, and the honest evidence."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.utils import timezone

from annulus.audit.models import AuditEvent
from annulus.candidacy import actions, consult_note
from annulus.candidacy.engine import load_protocol
from annulus.candidacy.tests.record_helpers import candidate_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluation(clinic, clinician):
    patient = candidate_record(clinic)
    return actions.record_evaluation(
        patient, protocol=load_protocol("annulus-default", 1), user=clinician
    )


def url(evaluation):
    return f"/staff/patients/{evaluation.patient_id}/evaluations/{evaluation.pk}/consult-note.pdf"


def html_of(evaluation):
    return consult_note.render_html(evaluation, generated_at=timezone.now(), generated_by=None)


def test_it_downloads_a_pdf_that_is_never_cached_and_is_audited(staff_client, evaluation):
    response = staff_client.get(url(evaluation))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == (
        f'attachment; filename="consult-note-evaluation-{evaluation.pk}.pdf"'
    )
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="candidacy.consult_note")
    assert event.patient_id == evaluation.patient_id
    assert event.details == {"evaluation": evaluation.pk, "review": "pending"}


def test_it_carries_the_failed_phase_three_trial_with_its_figures_and_citations(evaluation):
    html = html_of(evaluation)

    assert "The randomized trial failed" in html
    assert "NCT01011816" in html
    assert "33.5 % with fibrin and 39.3 % with saline" in html
    assert "terminated for lack of efficacy" in html
    assert "ClinicalTrials.gov NCT01011816" in html  # the citation behind the figures
    assert "not proven better than a saline injection" in html


def test_it_names_all_five_parts_of_the_trial_composite_and_the_delivery_caveat(evaluation):
    html = html_of(evaluation)
    composite = html.split("composite success", 1)[1].split("33.5 %", 1)[0]

    for part in (
        "at least 30 % less back pain",
        "at least 30 % better function (RMDQ)",
        "maintained neurological status",
        "no secondary intervention",
        "no serious adverse event",
    ):
        assert part in composite, part
    assert "into the disc (intradiscally)" in html
    assert "may not carry over to it" in html and "off-label" in html
    assert "fell 41 % at 26 weeks (15.2 to 8.9)" in html


def test_it_carries_the_decision_rationale_alternatives_and_a_draft_mark(evaluation):
    html = html_of(evaluation)

    assert "DRAFT: no clinician has reviewed this decision yet." in html
    assert "Candidate" in html and "L4-L5" in html
    for criterion in evaluation.decision["criteria"]:
        if not criterion["id"].startswith("RF-"):
            assert criterion["id"] in html
    assert "None present: saddle anesthesia, bladder or bowel dysfunction" in html
    assert "Structured conservative care" in html  # open to every patient
    assert "Intra-annular fibrin injection" in html


def test_it_carries_the_clinicians_override(evaluation, clinician):
    actions.override_evaluation(
        evaluation,
        user=clinician,
        reason="multidisciplinary",
        outcome="not_candidate",
        criteria=["L-HEIGHT"],
        note="Team prefers rehabilitation first.",
    )
    evaluation.refresh_from_db()

    html = html_of(evaluation)

    assert "DRAFT" not in html
    assert "Clinician's decision: Not a candidate" in html
    assert "Multidisciplinary team decision" in html
    assert "Team prefers rehabilitation first." in html
    assert "L-HEIGHT" in html


def test_the_pdf_text_holds_the_phase_three_figures(staff_client, evaluation, tmp_path):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed; the HTML test covers the text")
    pdf = tmp_path / "note.pdf"
    pdf.write_bytes(staff_client.get(url(evaluation)).content)

    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout

    assert "33.5 %" in text and "39.3 %" in text
    assert "NCT01011816" in text


def test_the_note_fetches_nothing_from_outside():
    fetcher = consult_note.local_only_fetcher()

    for outside in ("https://example.org/logo.png", "http://127.0.0.1/", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="loads nothing from outside"):
            fetcher.fetch(outside)
    assert fetcher.fetch("data:text/plain,ok").read() == b"ok"


def test_an_outside_image_in_the_html_is_not_fetched(monkeypatch):
    asked = []
    original = consult_note.local_only_fetcher

    def spy():
        fetcher = original()
        fetch = fetcher.fetch

        def recording(url, headers=None):
            asked.append(url)
            return fetch(url, headers)

        fetcher.fetch = recording
        return fetcher

    monkeypatch.setattr(consult_note, "local_only_fetcher", spy)

    pdf = consult_note.render_pdf('<p>Hi</p><img src="https://example.org/tracker.png">')

    assert pdf.startswith(b"%PDF")
    assert asked == ["https://example.org/tracker.png"]  # asked, refused, rendered without it
