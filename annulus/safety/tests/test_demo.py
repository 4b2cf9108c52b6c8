from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from annulus.clinical.models import AdverseEvent
from annulus.safety.models import Alert

pytestmark = pytest.mark.django_db


def test_the_demo_lists_an_open_emergency_from_intake_and_an_urgent_one_from_a_survey(
    demo_seeded_once,
):
    call_command("seed_demo", "--quiet-logins")  # idempotent: again, on the module's seed
    out = StringIO()
    call_command("alerts", "--open", "--format", "json", stdout=out)
    rows = json.loads(out.getvalue())
    kinds = {(r["severity"], r["source"]) for r in rows}
    assert ("emergency", "intake") in kinds
    assert ("urgent", "survey") in kinds
    assert all(r["acknowledged_at"] is None for r in rows)
    fever = Alert.objects.get(code="post_procedure_fever")
    assert fever.answer["check_in"] == "72h" and fever.acknowledged_at is None
    acknowledged = Alert.objects.filter(acknowledged_at__isnull=False)
    assert acknowledged.exclude(action_taken="").count() >= 2
    from_alert = Alert.objects.filter(adverse_event__isnull=False).get()
    assert AdverseEvent.objects.filter(pk=from_alert.adverse_event_id).exists()
