"""#17 item 1: survey links are built from ANNULUS_SITE_URL when sent; no address is stored."""

from __future__ import annotations

import pytest

from annulus.outcomes import actions
from annulus.outcomes.delivery import survey_url
from annulus.outcomes.models import FollowUp, Invitation

pytestmark = pytest.mark.django_db


def test_a_link_follows_the_site_url_of_the_day_it_is_sent(patient, settings):
    settings.ANNULUS_SITE_URL = "http://127.0.0.1:8000"
    actions.enrol(patient)
    invitation = Invitation.objects.select_related("follow_up").filter(follow_up__patient=patient)[
        0
    ]
    settings.ANNULUS_SITE_URL = "http://127.0.0.1:8123"
    assert survey_url(invitation, "tok") == "http://127.0.0.1:8123/survey/tok/"
    settings.ANNULUS_SITE_URL = "https://spine.example.org"
    assert survey_url(invitation, "tok") == "https://spine.example.org/survey/tok/"


def test_no_site_address_is_stored_with_a_follow_up():
    assert "site_url" not in {f.name for f in FollowUp._meta.get_fields()}
