"""The report's score pivot (``TimePointScores``) follows the scoring actions."""

from __future__ import annotations

import pytest
from django.utils import timezone

from annulus.outcomes import actions, time_point_scores
from annulus.outcomes.models import InstrumentResponse, TimePointScores
from annulus.outcomes.tests.test_survey import (
    REVIEW_PAGE,
    answer_everything,
    baseline_of,
    open_survey,
    post,
    ref_of,
)

pytestmark = pytest.mark.django_db


def test_submitting_a_survey_writes_its_scores_side_by_side(patient):
    visitor, _ = open_survey(patient)
    ref = ref_of(visitor)
    answer_everything(visitor, ref, odi=[2, 2, 2, 2, 2, 2, 1, 1, 1, 1], back=6)  # ODI 32
    assert not TimePointScores.objects.exists()  # saved pages are not scores yet
    visitor.post(f"/survey/?page={REVIEW_PAGE}", {"ref": ref, "send": "1"})

    row = TimePointScores.objects.get()
    invitation = baseline_of(patient)
    assert (row.invitation_id, row.follow_up_id, row.code, row.closes) == (
        invitation.pk, invitation.follow_up_id, "baseline", invitation.closes,
    )  # fmt: skip
    assert (row.odi, row.nrs_back, row.rmdq) == (32.0, 6.0, 9.0)


def test_a_window_closing_on_saved_answers_writes_the_partial_scores(patient):
    visitor, _ = open_survey(patient)
    post(visitor, 1, {"back-pain": 4}, ref_of(visitor))
    invitation = baseline_of(patient)
    actions.close_window(invitation, timezone.now())

    row = TimePointScores.objects.get()
    assert (row.code, row.odi, row.nrs_back, row.rmdq) == ("baseline", None, 4.0, None)


def test_refresh_rebuilds_from_the_scores_and_drops_rows_without_any(patient):
    visitor, _ = open_survey(patient)
    ref = ref_of(visitor)
    answer_everything(visitor, ref, odi=[2, 2, 2, 2, 2, 2, 1, 1, 1, 1], back=6)
    visitor.post(f"/survey/?page={REVIEW_PAGE}", {"ref": ref, "send": "1"})
    invitation = baseline_of(patient)

    InstrumentResponse.objects.filter(instrument_id="odi").update(score=50.0)
    time_point_scores.refresh([invitation.pk])
    assert TimePointScores.objects.get().odi == 50.0

    InstrumentResponse.objects.update(score=None, scored_at=None)
    time_point_scores.refresh([invitation.pk])
    assert not TimePointScores.objects.exists()

    InstrumentResponse.objects.update(score=3.0, scored_at=timezone.now())
    time_point_scores.refresh_all()
    assert TimePointScores.objects.get().rmdq == 3.0
