"""Bad input on the new forms, and why the anonymous self-screen raises no alert."""

from __future__ import annotations

import pytest

from annulus.accounts.models import Role
from annulus.safety.models import Alert
from annulus.screening.red_flags import FLAG_IDS
from annulus.testing import make_staff, sign_in
from annulus.website.tests.fixtures import site_clinic  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_on_call_email_is_checked_and_saved_in_clinic_settings(client, clinic):
    sign_in(client, make_staff(clinic, Role.DIRECTOR))
    form = {
        "name": clinic.name,
        "phone": clinic.phone,
        "timezone": clinic.timezone,
        "on_call_email": "not an address",
    }
    page = client.post("/staff/clinic/", form).content.decode()
    assert "on-call email" in page.lower() and "valid email" in page.lower()
    clinic.refresh_from_db()
    assert clinic.on_call_email == ""
    client.post("/staff/clinic/", {**form, "on_call_email": "oncall@clinic.example"})
    clinic.refresh_from_db()
    assert clinic.on_call_email == "oncall@clinic.example"


def test_a_check_in_answer_outside_yes_or_no_is_refused(patient):
    from datetime import UTC, datetime

    from django.test import Client

    from annulus.audit.context import AuditContext
    from annulus.safety import actions
    from annulus.safety.models import CheckIn
    from annulus.safety.questions import QUESTION_IDS

    ctx = AuditContext.system("test")
    actions.schedule_check_ins(
        patient,
        procedure_kind="diagnostic_block",
        procedure_ref="DiagnosticInjection:1",
        procedure_on=datetime.now(UTC).date(),
        ctx=ctx,
    )
    token = actions.issue_check_in_link(CheckIn.objects.get(kind="72h"), ctx=ctx)
    visitor = Client()
    visitor.get(f"/check-in/{token}/")
    answers = {**dict.fromkeys(QUESTION_IDS, "no"), "fever": "maybe"}
    page = visitor.post("/check-in/", answers).content.decode()
    assert "Select a valid choice" in page or "Please answer yes or no" in page
    assert CheckIn.objects.get(kind="72h").answered_at is None


def test_red_flags_on_the_anonymous_self_screen_raise_no_alert(client, site_clinic):  # noqa: F811
    """The self-screen asks for no name or contact, so an alert would have no one to call; the
    person is sent to the emergency department on the spot instead. A red flag never carries
    over into a booking (screening_urgent_never_carries_over), so no known patient or lead is
    ever linked to one: the intake link and check-ins are where alerts come from."""
    answers = {**dict.fromkeys(FLAG_IDS, "no"), "saddle_anesthesia": "yes"}
    response = client.post("/screen/", answers, follow=True)
    assert "Go to an emergency department now" in response.content.decode()
    assert not Alert.objects.exists()
