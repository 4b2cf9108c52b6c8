from __future__ import annotations

import pytest
from django.core.management import call_command

from annulus.outcomes.models import FollowUp, InstrumentResponse, Invitation
from annulus.patients.models import Patient

pytestmark = pytest.mark.django_db


def statuses(email: str) -> dict[str, str]:
    invitations = Invitation.objects.filter(follow_up__patient__email=email)
    return dict(invitations.order_by("position").values_list("code", "status"))


def test_the_demo_has_trajectories_with_attrition_and_is_idempotent(demo_seeded_once):
    first = (
        FollowUp.objects.count(),
        Invitation.objects.count(),
        InstrumentResponse.objects.count(),
    )
    call_command("seed_demo", "--quiet-logins")
    again = (
        FollowUp.objects.count(),
        Invitation.objects.count(),
        InstrumentResponse.objects.count(),
    )
    assert first == again
    # every demo patient with a treatment date is followed, fibrin and referred alike
    arms = set(FollowUp.objects.values_list("arm", flat=True))
    assert {"fibrin", "fusion", "conservative_care"} <= arms
    carmen = statuses("carmen.liu@patients.demo.annulus.test")
    assert [carmen[c] for c in ("baseline", "week-2", "week-6", "month-3", "month-6")] == [
        "completed", "completed", "completed", "missed", "completed"
    ]  # fmt: skip
    assert carmen["month-12"] == "scheduled"
    odi = InstrumentResponse.objects.filter(
        response__invitation__follow_up__patient__email="carmen.liu@patients.demo.annulus.test",
        instrument_id="odi",
    ).order_by("response__invitation__position")
    assert [part.score for part in odi] == [48.0, 40.0, 26.0]
    assert statuses("harper.nakamura@patients.demo.annulus.test")["baseline"] == "missed"
    assert statuses("jules.abernathy@patients.demo.annulus.test")["baseline"] == "partial"
    assert Patient.objects.filter(follow_up__isnull=True, procedure_date__isnull=False).count() == 0


def test_the_demo_patients_outcomes_page_draws_their_charts(demo_seeded_once, client):
    from annulus.accounts.models import User
    from annulus.testing import sign_in

    sign_in(client, User.objects.get(email="clinician@demo.annulus.test"))
    carmen = Patient.objects.get(email="carmen.liu@patients.demo.annulus.test")
    text = client.get(f"/staff/patients/{carmen.pk}/outcomes/").content.decode()
    assert text.count('src="data:image/svg+xml;base64,') >= 3
    assert "Missed" in text and "Responder" in text
    clinic_page = client.get("/staff/outcomes/").content.decode()
    assert "Completion per time point" in clinic_page
