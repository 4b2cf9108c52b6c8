from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from annulus.audit.models import AuditEvent
from annulus.outcomes import actions
from annulus.outcomes.models import InstrumentResponse, Invitation, Response, SurveyLink
from annulus.outcomes.scoring import AnswerError
from annulus.outcomes.tests.conftest import make_patient

pytestmark = pytest.mark.django_db

# Pages of the baseline: back pain, leg pain, ODI sections 1-10, RMDQ, then "ready to send".
ODI_PAGES = range(3, 13)
RMDQ_PAGE = 13
REVIEW_PAGE = 14


def baseline_of(patient) -> Invitation:
    return Invitation.objects.get(follow_up__patient=patient, code="baseline")


def open_survey(patient, visitor: Client | None = None) -> tuple[Client, str]:
    """Enrol if needed, issue a link and open it as the patient would."""
    if not hasattr(patient, "follow_up"):
        actions.enrol(patient)
    _, token = actions.reissue(baseline_of(patient))
    visitor = visitor or Client()
    first = visitor.get(f"/survey/{token}/")
    assert first.status_code == 302, first.content
    return visitor, token


def ref_of(visitor: Client) -> str:
    page = visitor.get("/survey/?page=1").content.decode()
    return re.search(r'name="ref" value="([0-9a-f]{32})"', page).group(1)


def post(visitor: Client, page: int, answers: dict, ref: str, **extra):
    return visitor.post(f"/survey/?page={page}", {"ref": ref, **answers, **extra})


def answer_everything(visitor: Client, ref: str, odi: list[int], back: int = 6) -> None:
    assert post(visitor, 1, {"back-pain": back}, ref).status_code == 302
    assert post(visitor, 2, {"leg-pain": 2}, ref).status_code == 302
    sections = ["pain-intensity", "personal-care", "lifting", "walking", "sitting", "standing",
                "sleeping", "sex-life", "social-life", "travelling"]  # fmt: skip
    for page, section, value in zip(ODI_PAGES, sections, odi, strict=False):
        answer = {} if value is None else {section: value}
        assert post(visitor, page, answer, ref).status_code == 302
    rmdq = {f"item-{n:02d}": 1 if n <= 9 else 0 for n in range(1, 25)}
    assert post(visitor, RMDQ_PAGE, rmdq, ref).status_code == 302


def test_the_token_leaves_the_url_and_the_pages_are_private(patient):
    visitor, token = open_survey(patient)
    first = visitor.get(f"/survey/{token}/")
    assert first["Location"] == "/survey/"
    assert first["Referrer-Policy"] == "no-referrer"
    page = visitor.get("/survey/")
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "no-referrer"
    assert page["Cache-Control"] == "no-store"
    assert token not in page.content.decode()
    assert len(token) >= 43  # 256 bits in base64url; the issue asks for at least 128
    assert not SurveyLink.objects.filter(token_hash=token).exists()
    assert "Page 1 of 14" in page.content.decode()


def test_a_patient_answers_page_by_page_and_can_come_back_later(patient):
    visitor, _ = open_survey(patient)
    ref = ref_of(visitor)
    assert post(visitor, 1, {"back-pain": 7}, ref)["Location"] == "/survey/?page=2"
    assert baseline_of(patient).status == "partial"
    # Later, from the email link again: it resumes on the next page, answers kept.
    again = Client()
    again.get(f"/survey/{open_survey(patient, again)[1]}/")
    resumed = again.get("/survey/")
    assert "Page 2 of 14" in resumed.content.decode()
    back = again.get("/survey/?page=1").content.decode()
    assert re.search(r'value="7"[^>]*checked', back)


def test_answers_are_scored_on_submission_and_stored_with_the_instrument_version(patient):
    visitor, _ = open_survey(patient)
    ref = ref_of(visitor)
    answer_everything(visitor, ref, odi=[2, 2, 2, 2, 2, 2, 1, 1, 1, 1])  # 16 of 50
    review = visitor.get(f"/survey/?page={REVIEW_PAGE}").content.decode()
    assert "You have answered every question" in review
    done = visitor.post(f"/survey/?page={REVIEW_PAGE}", {"ref": ref, "send": "1"})
    assert done["Location"] == "/survey/"
    assert "Thank you" in visitor.get("/survey/").content.decode()

    response = Response.objects.get(invitation__follow_up__patient=patient)
    assert response.submitted_at is not None and not response.partial
    odi = response.instruments.get(instrument_id="odi")
    assert (odi.score, odi.band, odi.instrument_version) == (32.0, "moderate", "2.1a")
    assert len(odi.instrument_sha256) == 64
    assert response.instruments.get(instrument_id="rmdq").score == 9.0
    assert response.instruments.get(instrument_id="nrs-back").score == 6.0
    assert baseline_of(patient).status == "completed"


def test_one_unanswered_odi_section_still_scores_as_the_developers_say(patient):
    visitor, _ = open_survey(patient)
    ref = ref_of(visitor)
    # 16 points over nine sections; section 8 (sex life) left blank: 16/45 -> 35.6 %
    answer_everything(visitor, ref, odi=[2, 2, 2, 2, 2, 2, 2, None, 1, 1])
    visitor.post(f"/survey/?page={REVIEW_PAGE}", {"ref": ref, "send": "1"})
    odi = InstrumentResponse.objects.get(instrument_id="odi")
    assert odi.score == 35.6
    assert baseline_of(patient).status == "completed"


def test_a_submission_with_questions_left_blank_is_saved_as_partial(patient):
    visitor, _ = open_survey(patient)
    ref = ref_of(visitor)
    post(visitor, 1, {"back-pain": 5}, ref)
    review = visitor.get(f"/survey/?page={REVIEW_PAGE}").content.decode()
    assert "blank" in review and "Page 2" in review
    visitor.post(f"/survey/?page={REVIEW_PAGE}", {"ref": ref, "send": "1"})

    response = Response.objects.get(invitation__follow_up__patient=patient)
    assert response.partial and response.submitted_at is not None
    assert baseline_of(patient).status == "partial"
    odi = response.instruments.get(instrument_id="odi")
    assert odi.score is None and "10 of 10 sections unanswered" in odi.score_reason
    assert response.instruments.get(instrument_id="nrs-back").score == 5.0
    assert "Some questions were left blank" in visitor.get("/survey/").content.decode()


def test_a_double_submit_stores_one_response(patient):
    visitor, _ = open_survey(patient)
    ref = ref_of(visitor)
    post(visitor, 1, {"back-pain": 5}, ref)
    first = visitor.post(f"/survey/?page={REVIEW_PAGE}", {"ref": ref, "send": "1"})
    assert first.status_code == 302
    again = visitor.post(f"/survey/?page={REVIEW_PAGE}", {"ref": ref, "send": "1"})
    assert again.status_code == 200 and "Thank you" in again.content.decode()
    response = Response.objects.get()
    first_sent = response.submitted_at
    # and once more, straight through the action
    actions.submit(response)
    assert Response.objects.count() == 1
    assert Response.objects.get().submitted_at == first_sent
    assert InstrumentResponse.objects.filter(instrument_id="nrs-back").count() == 1
    assert AuditEvent.objects.filter(action="outcomes.survey.submit").count() == 1
    # a late page save does not change the sent answers
    late = post(visitor, 1, {"back-pain": 9}, ref)
    assert late.status_code == 200 and "Thank you" in late.content.decode()
    assert InstrumentResponse.objects.get(instrument_id="nrs-back").answers == {"back-pain": 5}


def test_an_out_of_range_value_is_refused_with_a_clear_message_and_nothing_is_saved(patient):
    visitor, _ = open_survey(patient)
    ref = ref_of(visitor)
    page = post(visitor, 1, {"back-pain": 11}, ref)
    text = page.content.decode()
    assert page.status_code == 200
    assert "Question 1: “11” is not an answer to this question" in text
    assert "a whole number from 0 to 10" in text
    assert "Nothing on this page was saved" in text
    assert not InstrumentResponse.objects.exists()
    odi = post(visitor, 3, {"pain-intensity": 6}, ref).content.decode()
    assert "Choose one of the answers shown" in odi
    junk = post(visitor, 1, {"back-pain": "seven"}, ref).content.decode()
    assert "“seven” is not an answer" in junk
    assert not InstrumentResponse.objects.exists()
    assert baseline_of(patient).status == "sent"
    with pytest.raises(AnswerError, match="42 is not allowed"):
        response = Response.objects.get()
        actions.save_section(response, actions.survey_pages(baseline_of(patient))[0],
                             {"back-pain": 42})  # fmt: skip
    assert not InstrumentResponse.objects.exists()


def test_a_tampered_or_unknown_token_gets_a_kind_page(patient):
    _, token = open_survey(patient)
    for bad in (token[:-3] + "xyz", "short", "a" * 43):
        page = Client().get(f"/survey/{bad}/")
        assert page.status_code == 404
        text = page.content.decode()
        assert "This link does not work" in text
        assert "call" in text and "+1 555 0199" in text
        assert page["Referrer-Policy"] == "no-referrer"
    assert AuditEvent.objects.filter(action="outcomes.link.refused").count() == 3
    assert Client().get("/survey/").status_code == 404  # no link in the session


def test_a_page_from_another_patients_survey_is_refused_and_nothing_is_written(clinic, patient):
    other = make_patient(clinic, email="sam@example.test", first="Sam")
    shared_phone = Client()
    open_survey(patient, shared_phone)
    robins_ref = ref_of(shared_phone)
    open_survey(other, shared_phone)  # Sam opens their own link on the same phone
    # Robin's page, still open in another tab, is sent now:
    page = post(shared_phone, 1, {"back-pain": 3}, robins_ref)
    assert page.status_code == 409
    assert "nothing from this page was saved" in page.content.decode()
    assert not InstrumentResponse.objects.exists()
    assert baseline_of(other).status == "sent" and baseline_of(patient).status == "sent"
    review = shared_phone.post(f"/survey/?page={REVIEW_PAGE}", {"ref": robins_ref, "send": "1"})
    assert review.status_code == 409
    assert not Response.objects.filter(submitted_at__isnull=False).exists()


def test_a_post_without_the_pages_reference_is_refused_like_a_forged_form(patient):
    visitor, _ = open_survey(patient)
    forged = visitor.post("/survey/?page=1", {"back-pain": 3})
    assert forged.status_code == 409
    sent = visitor.post(f"/survey/?page={REVIEW_PAGE}", {"send": "1", "ref": "0" * 32})
    assert sent.status_code == 409
    assert not InstrumentResponse.objects.exists()
    assert Response.objects.get().submitted_at is None


def test_a_used_link_says_thank_you_and_an_expired_one_says_how_to_get_a_new_one(patient):
    visitor, token = open_survey(patient)
    ref = ref_of(visitor)
    post(visitor, 1, {"back-pain": 5}, ref)
    visitor.post(f"/survey/?page={REVIEW_PAGE}", {"ref": ref, "send": "1"})
    used = Client().get(f"/survey/{token}/", follow=True)
    assert "Thank you" in used.content.decode()

    other_patient = make_patient(patient.clinic, email="kim@example.test", first="Kim")
    _, token = open_survey(other_patient)
    Invitation.objects.filter(follow_up__patient=other_patient).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    expired = Client().get(f"/survey/{token}/")
    assert expired.status_code == 410
    text = expired.content.decode()
    assert "This questionnaire has closed" in text and "To get a new link, call" in text


def test_a_reissued_link_replaces_the_old_one(patient):
    _, old = open_survey(patient)
    _, new = actions.reissue(baseline_of(patient))
    page = Client().get(f"/survey/{old}/")
    assert page.status_code == 410
    assert "A newer link was sent" in page.content.decode()
    assert Client().get(f"/survey/{new}/").status_code == 302
    # a session opened with the old link stops working too
    assert SurveyLink.objects.filter(revoked_at__isnull=True).count() == 1
