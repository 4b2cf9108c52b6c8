"""bulk_rows: what goes in comes back, on SQLite (bulk_create) and PostgreSQL (COPY text)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.db import IntegrityError, connection

from annulus.accounts.models import Clinic
from annulus.analytics.bulk_rows import (
    check_references,
    reserve_ids,
    skip_reference_triggers,
    write,
)
from annulus.clinical.models import AdverseEvent, DiagnosticInjection
from annulus.outcomes.models import FollowUp, Invitation, Response
from annulus.patients.models import Patient

# Values COPY's text format must escape, or would read as NULL if they were not.
AWKWARD = ["tab\there", "line\nbreak\r", "back\\slash \\N", "None", "", "plain"]


def _patients(count: int) -> list[int]:
    clinic = Clinic.objects.create(name="Bulk rows test", slug="bulk-rows", timezone="UTC")
    first = reserve_ids(Patient, count)
    ids = list(range(first, first + count))
    write(
        Patient,
        ("id", "clinic_id", "first_name", "last_name", "date_of_birth", "veteran"),
        [(pk, clinic.pk, "Test", f"Person{pk}", None if pk % 2 else date(1970, 1, 2), pk % 2 == 0)
         for pk in ids],
    )  # fmt: skip
    return ids


def test_awkward_text_nulls_booleans_dates_and_json_come_back_as_written(db: Any) -> None:
    ids = _patients(2)
    write(
        AdverseEvent,
        ("patient_id", "onset_on", "description", "related", "serious", "resolved_on"),
        [(ids[0], date(2025, 3, 4), text, i % 2 == 0, i % 2 == 1,
          None if i % 2 else date(2025, 5, 6)) for i, text in enumerate(AWKWARD)],
    )  # fmt: skip
    events = AdverseEvent.objects.filter(patient_id=ids[0]).order_by("id")
    assert [e.description for e in events] == AWKWARD
    assert [e.related for e in events] == [True, False] * 3
    assert [e.resolved_on for e in events] == [date(2025, 5, 6), None] * 3
    assert all(not e.discitis and e.created_at is not None for e in events)  # model defaults
    people = Patient.objects.filter(pk__in=ids).order_by("id")
    assert [(p.date_of_birth, p.veteran, p.sex) for p in people] == [
        (None if pk % 2 else date(1970, 1, 2), pk % 2 == 0, "unknown") for pk in ids
    ]
    levels = ["L4-L5", 'quote " and back\\slash', "tab\t"]
    write(
        DiagnosticInjection,
        ("patient_id", "kind", "levels", "performed_on", "relief_percent"),
        [(ids[1], "medial_branch", levels, date(2025, 1, 1), 40)],
    )
    assert DiagnosticInjection.objects.get(patient_id=ids[1]).levels == levels


def test_reserved_ids_are_used_as_given_and_callable_defaults_differ_per_row(db: Any) -> None:
    ids = _patients(3)
    first = reserve_ids(FollowUp, 3)
    write(
        FollowUp,
        ("id", "patient_id", "plan_id", "plan_version", "arm", "anchor", "treatment_date"),
        [(first + i, pk, "standard", 1, "conservative_care", "referral", date(2025, 1, 1))
         for i, pk in enumerate(ids)],
    )  # fmt: skip
    assert sorted(FollowUp.objects.values_list("id", flat=True)) == [first, first + 1, first + 2]
    assert reserve_ids(FollowUp, 1) > first + 2
    opened = datetime(2025, 2, 1, tzinfo=UTC)
    invitation = reserve_ids(Invitation, 3)
    write(
        Invitation,
        ("id", "follow_up_id", "code", "label", "position", "opens", "due", "closes",
         "expires_at"),
        [(invitation + i, first + i, "week-6", "6 weeks", 2, date(2025, 2, 1), date(2025, 2, 8),
          date(2025, 2, 15), opened) for i in range(3)],
    )  # fmt: skip
    write(
        Response,
        ("invitation_id", "started_at"),
        [(invitation + i, opened) for i in range(3)],
    )
    refs = set(Response.objects.values_list("ref", flat=True))
    assert len(refs) == 3  # a fresh reference each, not one default for all
    stored = Invitation.objects.get(pk=invitation)
    assert (stored.expires_at, stored.instruments, stored.revision) == (opened, [], 1)


def test_a_dangling_reference_is_found(db: Any) -> None:
    ids = _patients(1)
    check_references([Patient, AdverseEvent])
    # Keys are checked at commit, which a test never reaches; check_references looks now.
    write(
        AdverseEvent,
        ("patient_id", "onset_on", "description", "related", "serious"),
        [(ids[0] + 1000, date(2025, 1, 1), "nobody", False, False)],
    )
    with pytest.raises(IntegrityError, match=r"AdverseEvent\.patient = \d+ points at no row"):
        check_references([Patient, AdverseEvent])
    AdverseEvent.objects.filter(description="nobody").delete()  # the test database checks too


def test_an_unknown_column_is_named(db: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("bulk_create names unknown fields itself")
    with pytest.raises(ValueError, match="'nonsense'"):
        write(Patient, ("nonsense",), [(1,)])


def test_reference_triggers_are_skipped_only_where_allowed(db: Any) -> None:
    # A superuser on PostgreSQL (the developer's and benchmark's databases); never on SQLite.
    assert skip_reference_triggers() is (connection.vendor == "postgresql")
