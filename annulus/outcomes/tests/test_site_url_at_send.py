"""Survey links are built from ANNULUS_SITE_URL when sent, not from the address at enrolment."""

from __future__ import annotations

import pytest

from annulus.outcomes import actions
from annulus.outcomes.delivery import survey_url
from annulus.outcomes.models import Invitation

pytestmark = pytest.mark.django_db


def test_a_link_follows_the_site_url_of_the_day_it_is_sent(patient, settings):
    actions.enrol(patient, site_url="http://127.0.0.1:8000")  # as the demo seed enrols
    invitation = Invitation.objects.select_related("follow_up").filter(follow_up__patient=patient)[
        0
    ]
    settings.ANNULUS_SITE_URL = "http://127.0.0.1:8123"
    assert survey_url(invitation, "tok") == "http://127.0.0.1:8123/survey/tok/"
    settings.ANNULUS_SITE_URL = "https://spine.example.org"
    assert survey_url(invitation, "tok") == "https://spine.example.org/survey/tok/"
