from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from annulus.screening.carry_over import answers_for_token
from annulus.screening.models import ScreeningResponse
from annulus.screening.red_flags import FLAG_IDS
from annulus.testing import audit_actions

pytestmark = pytest.mark.django_db

NO_FLAGS = dict.fromkeys(FLAG_IDS, "no")
FIT = {
    "age_band": "18_to_75",
    "duration": "over_12_months",
    "back_pain": "6",
    "pain_pattern": "mostly_back",
    "below_knee": "no",
    "care": "three_months_with_exercise",
    "prior_surgery": "none",
    "veteran": "yes",
}


def step_two(client):
    page = client.post("/screen/", NO_FLAGS)
    assert page.status_code == 200
    return re.search(r'name="passed" value="([^"]+)"', page.content.decode()).group(1)


def finish(client, answers):
    passed = step_two(client)
    response = client.post("/screen/about-your-pain/", {**answers, "passed": passed})
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


def token_of(location):
    return location.rstrip("/").rsplit("/", 1)[1]


def test_it_asks_the_red_flags_first_and_marks_every_question_required(client, site_clinic):
    page = client.get("/screen/").content.decode()
    assert page.count("(required)") == len(FLAG_IDS)
    assert page.index("numbness or tingling between your legs") < page.index("Have you ever had")
    assert 'action="/screen/"' in page
    assert "How old are you?" not in page  # the pain questions wait for step two


def test_it_shows_a_message_at_each_unanswered_question(client, site_clinic):
    page = client.post("/screen/", {"fever": "no"}).content.decode()
    assert page.count("Please answer yes or no to this question.") == len(FLAG_IDS) - 1
    assert 'id="id_saddle_anesthesia_error"' in page
    assert 'id="id_fever_error"' not in page


def test_it_sends_cauda_equina_signs_to_the_emergency_department_without_booking(
    client, site_clinic
):
    response = client.post("/screen/", {**NO_FLAGS, "bladder_or_bowel_dysfunction": "yes"})
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Go to an emergency department now" in html
    assert "/book/" not in html
    assert ">Book<" not in html
    stored = ScreeningResponse.objects.get()
    assert stored.outcome == "urgent_referral"
    assert stored.routes == ["emergency_department"]
    assert stored.red_flags["bladder_or_bowel_dysfunction"] is True
    assert stored.carry_over_consent is False


def test_it_sends_other_flags_to_urgent_medical_review_and_still_names_the_emergency_signs(
    client, site_clinic
):
    response = client.post("/screen/", {**NO_FLAGS, "cancer_history": "yes"})
    html = client.get(response["Location"]).content.decode()
    assert "See a doctor urgently" in html
    assert "Go to an emergency department now instead" in html
    assert "Have you ever had cancer?" in html
    assert "/book/" not in html
    assert ScreeningResponse.objects.get().routes == ["urgent_medical_review"]


def test_it_refuses_step_two_without_passing_the_red_flags(client, site_clinic):
    response = client.post("/screen/about-your-pain/", {**FIT, "passed": "forged"})
    assert response.status_code == 302
    assert response["Location"] == "/screen/"
    assert client.get("/screen/about-your-pain/").status_code == 302
    assert not ScreeningResponse.objects.exists()


def test_it_shows_a_message_at_each_unanswered_pain_question(client, site_clinic):
    passed = step_two(client)
    page = client.post("/screen/about-your-pain/", {"passed": passed, "age_band": "18_to_75"})
    html = page.content.decode()
    assert "Please choose how long you have had the pain." in html
    assert "Please choose a number from 0 to 10." in html
    assert "Please choose your age group." not in html
    assert 'name="passed"' in html


def test_it_recommends_an_evaluation_and_links_to_booking_without_the_answers(client, site_clinic):
    location = finish(client, FIT)
    html = client.get(location).content.decode()
    assert "Worth a specialist evaluation" in html
    assert 'href="/book/?service=consultation"' in html
    assert "screening=" not in html
    assert answers_for_token(token_of(location)) is None


def test_it_carries_the_answers_into_booking_only_with_consent(client, site_clinic):
    location = finish(client, {**FIT, "carry_over": "on"})
    token = token_of(location)
    html = client.get(location).content.decode()
    assert f'href="/book/?service=consultation&amp;screening={token}"' in html
    data = answers_for_token(token)
    assert data is not None
    assert data["patient"]["veteran"] is True
    assert data["symptoms"]["back_pain_duration_months"] == 12.0
    assert data["symptoms"]["back_pain_nrs"] == 6
    assert data["red_flags"] == dict.fromkeys(FLAG_IDS, False)
    assert data["conservative_care"] == {
        "duration_months": 3.0,
        "exercise_or_physical_therapy": True,
    }
    assert data["consent"]["kind"] == "carry_over_screening"
    stored = ScreeningResponse.objects.get()
    assert stored.token_hash != token and token not in str(stored.answers)


def test_it_stops_carrying_answers_over_after_seven_days(client, site_clinic):
    token = token_of(finish(client, {**FIT, "carry_over": "on"}))
    ScreeningResponse.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert answers_for_token(token) is None
    assert client.get(f"/screen/result/{token}/").status_code == 404


def test_it_ignores_tampered_tokens(client, site_clinic):
    token = token_of(finish(client, {**FIT, "carry_over": "on"}))
    assert answers_for_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert answers_for_token("short") is None
    assert client.get("/screen/result/not-a-token/").status_code == 404


def test_it_never_keeps_carry_over_consent_when_no_booking_is_offered(client, site_clinic):
    token = token_of(finish(client, {**FIT, "care": "none", "carry_over": "on"}))
    assert ScreeningResponse.objects.get().carry_over_consent is False
    assert answers_for_token(token) is None


def test_it_says_unlikely_to_fit_with_what_to_ask_instead(client, site_clinic):
    html = client.get(finish(client, {**FIT, "pain_pattern": "mostly_leg"})).content.decode()
    assert "Unlikely to fit this procedure" in html
    assert "What to ask your own doctor instead" in html
    assert "nerve root is pinched" in html
    assert "/book/" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_it_says_conservative_care_first_with_the_reason(client, site_clinic):
    html = client.get(finish(client, {**FIT, "duration": "3_to_6_months"})).content.decode()
    assert "Conservative care first" in html
    assert "less than 6 months" in html
    assert "/book/" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_it_points_veterans_to_the_veterans_page(client, site_clinic):
    html = client.get(finish(client, FIT)).content.decode()
    assert 'href="/learn/veterans/"' in html


def test_it_audits_each_completed_screen_without_answers(client, site_clinic):
    finish(client, FIT)
    client.post("/screen/", {**NO_FLAGS, "fever": "yes"})
    assert audit_actions(action="screening.completed") == ["screening.completed"] * 2
    from annulus.audit.models import AuditEvent

    details = [e.details for e in AuditEvent.objects.filter(action="screening.completed")]
    assert {d["outcome"] for d in details} == {"worth_evaluation", "urgent_referral"}
    assert all(set(d) == {"outcome", "routes", "carry_over"} for d in details)


def test_it_limits_screens_per_address(client, site_clinic, rate_limits):
    from annulus.screening import views

    views.RATE_LIMIT["limit"], old = 2, views.RATE_LIMIT["limit"]
    try:
        for _ in range(2):
            assert client.post("/screen/", {**NO_FLAGS, "fever": "yes"}).status_code == 302
        assert client.post("/screen/", {**NO_FLAGS, "fever": "yes"}).status_code == 429
    finally:
        views.RATE_LIMIT["limit"] = old
    assert ScreeningResponse.objects.count() == 2


def test_it_never_caches_the_forms_or_results(client, site_clinic):
    assert "no-store" in client.get("/screen/")["Cache-Control"]
    location = finish(client, FIT)
    result = client.get(location)
    assert "no-store" in result["Cache-Control"]
    assert result["X-Robots-Tag"] == "noindex"
