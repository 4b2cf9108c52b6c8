"""The clinic page's SQL counts agree with the per-invitation rules of ``display_state``."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from annulus.analytics.synthetic import seed_registry
from annulus.outcomes import clinic_counts, results
from annulus.outcomes.actions import local_day
from annulus.outcomes.models import FollowUp, Invitation, Response

pytestmark = pytest.mark.django_db

BUCKET = {"completed": "completed", "partial": "partial", "missed": "missed", "due": "open_now",
          "overdue": "open_now", "in-progress": "open_now", "upcoming": "upcoming",
          "cancelled": "not_asked"}  # fmt: skip


@pytest.fixture
def registry() -> Any:
    clinic = seed_registry(80, seed=11, slug="counts")
    now = timezone.now()
    # Edge cases the seed does not make: a partial answer still open, a sent invitation whose
    # window closed before its timer ran, one open but not yet due, and a partial answer whose
    # response was finished before its window closed (answered, so not lost).
    invitations = Invitation.objects.filter(follow_up__patient__clinic=clinic)
    open_ones = list(invitations.filter(status="sent")[:3])
    Invitation.objects.filter(pk=open_ones[0].pk).update(status="partial")
    Response.objects.create(invitation=open_ones[0])
    Invitation.objects.filter(pk=open_ones[1].pk).update(expires_at=now - timedelta(hours=1))
    finished = next(
        inv
        for f in FollowUp.objects.filter(patient__clinic=clinic, status="active").order_by("id")
        if results.lost_to_follow_up(results.time_point_rows(f, now))
        for inv in f.invitations.filter(status__in=("scheduled", "sent"), expires_at__gt=now)
        if inv.pk not in {i.pk for i in open_ones}
    )
    Invitation.objects.filter(pk=finished.pk).update(status="partial")
    Response.objects.create(invitation=finished, submitted_at=now)
    return clinic


def test_it_counts_states_per_time_point_like_display_state(registry: Any) -> None:
    now = timezone.now()
    today = local_day(registry, now)
    follow_ups = FollowUp.objects.filter(patient__clinic=registry)
    expected: dict[str, Counter[str]] = {}
    for invitation in Invitation.objects.filter(follow_up__in=follow_ups).select_related(
        "follow_up__patient__clinic", "response"
    ):
        state = results.display_state(invitation, getattr(invitation, "response", None), now)
        expected.setdefault(invitation.code, Counter())[BUCKET[state]] += 1
    rows = results.completion_by_time_point(follow_ups, now, today=today)
    assert [r.code for r in rows][:3] == ["baseline", "week-2", "week-6"]
    for row in rows:
        got = {k: getattr(row, k) for k in set(BUCKET.values())}
        assert got == {k: expected[row.code][k] for k in got}, row.code


def test_it_finds_the_lost_in_one_query_like_the_per_patient_rule(
    registry: Any, django_assert_max_num_queries: Any
) -> None:
    now = timezone.now()
    expected = {
        f.pk
        for f in FollowUp.objects.filter(patient__clinic=registry, status="active")
        if results.lost_to_follow_up(results.time_point_rows(f, now))
    }
    assert expected  # the registry's attrition leaves some patients lost
    with django_assert_max_num_queries(1):
        found = set(
            FollowUp.objects.filter(
                id__in=clinic_counts.lost_follow_up_ids(registry.pk, now, local_day(registry, now))
            ).values_list("pk", flat=True)
        )
    assert found == expected


def test_open_now_lists_overdue_first_and_matches_display_state(registry: Any) -> None:
    now = timezone.now()
    follow_ups = FollowUp.objects.filter(patient__clinic=registry)
    rows = results.open_now(follow_ups, now)
    assert rows and all(r.state in ("due", "overdue", "in-progress") for r in rows)
    overdue = [r.state == "overdue" for r in rows]
    assert overdue == sorted(overdue, reverse=True)
    assert len(results.open_now(follow_ups, now, limit=2)) == 2


def test_the_open_count_and_page_hold_every_open_time_point_like_display_state(
    registry: Any, django_assert_max_num_queries: Any
) -> None:
    """The count comes with the page (one ranking query): it must be every invitation of an
    active follow-up that ``display_state`` calls due, overdue or in progress, and the page
    its first rows, overdue first."""
    now = timezone.now()
    today = local_day(registry, now)
    expected = {
        invitation.pk
        for invitation in Invitation.objects.filter(
            follow_up__patient__clinic=registry, follow_up__status="active"
        ).select_related("follow_up__patient__clinic", "response")
        if results.display_state(invitation, getattr(invitation, "response", None), now)
        in ("due", "overdue", "in-progress")
    }
    invitations = Invitation.objects.filter(follow_up__patient__clinic=registry)
    # The in-progress ids, the ranked ids with the count, the shown rows, their responses.
    with django_assert_max_num_queries(4):
        shown, count = clinic_counts.open_now_page(invitations, now, today, 5)
    assert count == len(expected) > 5
    everything, total = clinic_counts.open_now_page(invitations, now, today, None)
    assert total == count and {i.pk for i in everything} == expected
    assert [i.pk for i in shown] == [i.pk for i in everything[:5]]
    assert "in-progress" in {r.state for r in results.due_rows(everything, now)}
