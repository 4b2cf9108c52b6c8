"""The synthetic registry: a separate clinic, every arm, attrition, work-ups; never production."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from annulus.accounts.models import Clinic
from annulus.analytics.queries import Filters
from annulus.analytics.report import build_report
from annulus.analytics.synthetic import seed_registry
from annulus.clinical.models import Discogram, MRIStudy
from annulus.outcomes.models import FollowUp, Invitation
from annulus.patients.models import Intake, Patient


def test_it_seeds_a_separate_clinic_with_work_ups_and_follow_up(db: Any) -> None:
    err = StringIO()
    call_command("seed_registry", "--patients", "120", "--seed", "3", stderr=err, stdout=StringIO())
    clinic = Clinic.objects.get(slug="synthetic-registry")
    assert Patient.objects.filter(clinic=clinic).count() == 120
    assert Intake.objects.filter(patient__clinic=clinic).count() == 120
    assert MRIStudy.objects.filter(patient__clinic=clinic).count() == 120
    assert Discogram.objects.filter(patient__clinic=clinic).count() == 240
    assert FollowUp.objects.filter(patient__clinic=clinic).count() == 120
    assert "120/120" in err.getvalue()
    closed = Invitation.objects.filter(follow_up__patient__clinic=clinic, code="week-6")
    closed = closed.exclude(status__in=("scheduled", "sent", "cancelled"))
    answered = closed.filter(status__in=("completed", "partial")).count()
    assert 0.75 < answered / closed.count() <= 1.0
    report = build_report(Filters(clinic_id=clinic.pk), clinic_today())
    assert all(arm["enrolled"] > 0 for arm in report["arms"])


def clinic_today() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC).date()


def test_it_is_repeatable_with_the_same_seed(db: Any) -> None:
    one = seed_registry(20, seed=7, slug="one")
    two = seed_registry(20, seed=7, slug="two")
    arms = [list(FollowUp.objects.filter(patient__clinic=c).order_by("id")
                 .values_list("arm", "treatment_date")) for c in (one, two)]  # fmt: skip
    assert arms[0] == arms[1]


def test_it_refuses_in_production(db: Any, settings: Any) -> None:
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="not in production"):
        call_command("seed_registry", "--patients", "5")
    assert not Clinic.objects.filter(slug="synthetic-registry").exists()


def test_it_refuses_an_existing_slug(db: Any) -> None:
    seed_registry(1, slug="taken")
    with pytest.raises(CommandError, match="--slug") as raised:
        call_command("seed_registry", "--patients", "5", "--slug", "taken")
    assert raised.value.returncode == 2


def test_every_answered_time_point_has_its_score_row(db: Any) -> None:
    # The pivot is rebuilt per chunk over the chunk's invitation ids: several chunks, all covered.
    from annulus.outcomes.models import TimePointScores

    clinic = seed_registry(30, seed=4, slug="pivot", chunk=7)
    invitations = Invitation.objects.filter(follow_up__patient__clinic=clinic)
    answered = set(
        invitations.filter(status__in=("completed", "partial"), response__isnull=False)
        .exclude(code="week-2")  # asks only the NRS: no ODI or RMDQ, still a pivot row
        .values_list("pk", flat=True)
    )
    rows = dict(TimePointScores.objects.filter(invitation__in=invitations).values_list(
        "invitation_id", "odi"))  # fmt: skip
    assert answered and answered <= set(rows)
    assert all(rows[pk] is not None for pk in answered)


def test_the_seeded_summaries_and_score_rows_equal_a_rebuild(db: Any) -> None:
    # Bulk rows skip the actions: the seeder refreshes the report's summary per chunk instead.
    from django.forms.models import model_to_dict

    from annulus.outcomes import follow_up_summary
    from annulus.outcomes.models import FollowUpSummary, TimePointScores

    def rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        return (
            [model_to_dict(r) for r in FollowUpSummary.objects.order_by("follow_up_id")],
            [model_to_dict(r) for r in TimePointScores.objects.order_by("invitation_id")],
        )

    seed_registry(30, seed=5, slug="summary", chunk=7)
    seeded = rows()
    assert len(seeded[0]) == 30 and all(row["arm"] for row in seeded[1])
    follow_up_summary.refresh_all()
    assert rows() == seeded
