from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from annulus.audit.context import AuditContext
from annulus.outcomes import actions as outcomes
from annulus.outcomes.models import InstrumentResponse, Response
from annulus.patients.models import Patient
from annulus.safety.actions import raise_worsening_alerts
from annulus.safety.models import Alert

pytestmark = pytest.mark.django_db
CTX = AuditContext.system("test")


@pytest.fixture
def follow_up(clinic):
    today = datetime.now(UTC).astimezone(clinic.zone).date()
    patient = Patient.objects.create(
        clinic=clinic,
        first_name="Robin",
        last_name="Example",
        email="robin@example.test",
        procedure_date=today - timedelta(days=60),
    )
    return outcomes.enrol(patient, now=datetime.now(UTC) - timedelta(days=90))


def _answered(follow_up, code, odi, back):
    invitation = follow_up.invitations.get(code=code)
    response = Response.objects.create(invitation=invitation)
    for instrument, value in (("odi", odi), ("nrs-back", back)):
        InstrumentResponse.objects.create(
            response=response,
            instrument_id=instrument,
            instrument_version="1",
            instrument_sha256="0" * 64,
            expected=1,
            score=value,
            scored_at=datetime.now(UTC),
        )
    return invitation, response


@pytest.mark.parametrize(
    ("odi", "back", "codes"),
    [
        (40, 6, []),
        (49, 7.5, []),  # worse, but by less than the MIC
        (50, 6, ["worse_odi"]),  # ODI 10 points worse
        (40, 8, ["worse_back_pain"]),  # NRS 2 points worse
        (55, 9, ["worse_back_pain", "worse_odi"]),
    ],
)
def test_it_raises_a_review_alert_when_worse_than_baseline_by_the_mic(follow_up, odi, back, codes):
    _answered(follow_up, "baseline", 40, 6)
    invitation, response = _answered(follow_up, "week-6", odi, back)
    raised = raise_worsening_alerts(invitation, response, ctx=CTX)
    assert sorted(a.code for a in raised) == codes
    assert all(a.severity == "review" and a.source == "survey" for a in raised)


def test_it_raises_nothing_without_a_baseline_or_at_baseline(follow_up):
    invitation, response = _answered(follow_up, "week-6", 80, 10)
    assert raise_worsening_alerts(invitation, response, ctx=CTX) == []
    baseline, base_response = _answered(follow_up, "baseline", 40, 6)
    assert raise_worsening_alerts(baseline, base_response, ctx=CTX) == []
    assert not Alert.objects.exists()
