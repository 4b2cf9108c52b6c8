"""The self-screen in Spanish asks the same red flags and routes them the same way (issue #18)."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from annulus.screening import assess, red_flags
from annulus.screening.models import ScreeningResponse
from annulus.screening.red_flags import FLAG_IDS

pytestmark = pytest.mark.django_db

NO_FLAGS = dict.fromkeys(FLAG_IDS, "no")


def field_names(html: str) -> list[str]:
    names = re.findall(r'<input type="radio" name="(\w+)"', html)
    return list(dict.fromkeys(names))


def test_every_red_flag_word_has_a_spanish_translation():
    texts = [t for f in red_flags.RED_FLAGS for t in (f.question, f.hint, f.concern)]
    texts += [red_flags.EMERGENCY_INSTRUCTION.heading, "Call us today"]
    with translation.override("es"):
        untranslated = [t for t in texts if translation.gettext(t) == t]
    assert untranslated == []


def test_both_languages_ask_the_same_questions_in_the_same_order(client):
    english = client.get("/screen/").content.decode()
    spanish = client.get("/es/screen/").content.decode()
    assert field_names(english) == field_names(spanish) == list(FLAG_IDS)
    assert '<html lang="es">' in spanish
    with translation.override("es"):
        first = translation.gettext(red_flags.RED_FLAGS[0].question)
    assert first in spanish
    assert red_flags.RED_FLAGS[0].question not in spanish


@pytest.mark.parametrize("flag", FLAG_IDS)
def test_each_yes_routes_the_same_in_both_languages(client, flag):
    answers = {**NO_FLAGS, flag: "yes"}
    outcomes = []
    for prefix in ("", "/es"):
        response = client.post(f"{prefix}/screen/", answers)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{prefix}/screen/result/")
        stored = ScreeningResponse.objects.latest("id")
        outcomes.append((stored.outcome, list(stored.routes), dict(stored.red_flags)))
        page = client.get(response["Location"]).content.decode()
        emergency = red_flags.by_id(flag).route == red_flags.EMERGENCY_DEPARTMENT
        with translation.override("es" if prefix else "en"):
            heading = translation.gettext("Go to an emergency department now")
            question = translation.gettext(red_flags.by_id(flag).question)
        assert (f"<h1>{heading}</h1>" in page) is emergency
        assert question.replace("'", "&#x27;") in page
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] == "urgent_referral"


def test_the_spanish_result_explains_the_reasons_in_spanish(client):
    page = client.post("/es/screen/", NO_FLAGS)
    passed = re.search(r'name="passed" value="([^"]+)"', page.content.decode()).group(1)
    fit = {
        "age_band": "18_to_75",
        "duration": "over_12_months",
        "back_pain": "6",
        "pain_pattern": "mostly_leg",
        "below_knee": "yes",
        "care": "three_months_with_exercise",
        "prior_surgery": "none",
        "passed": passed,
    }
    result = client.post("/es/screen/about-your-pain/", fit)
    html = client.get(result["Location"]).content.decode()
    reason = assess.assess(
        assess.Answers("18_to_75", "over_12_months", 6, "mostly_leg", True, "none", "none")
    ).reasons[0]
    assert reason.code == "leg_pain"
    with translation.override("es"):
        assert translation.gettext(reason.text) in html
        assert translation.gettext("Unlikely to fit this procedure") in html
    assert reason.text not in html
