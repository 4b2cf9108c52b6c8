"""The safety loop end to end: a patient's answer reaches a clinician, who acts on it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from annulus.accounts.models import Role
from annulus.audit.context import AuditContext
from annulus.clinical.models import AdverseEvent, FibrinProcedure
from annulus.lib.tokens import new_token, token_hash
from annulus.notifications.models import OutboundEmail
from annulus.patients.models import IntakeLink, Patient
from annulus.safety import actions
from annulus.safety.models import Alert, CheckIn
from annulus.screening.red_flags import CAUDA_EQUINA_IDS
from annulus.testing import PASSWORD, current_totp, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def setup(clinic: Any, settings: Any) -> tuple[Any, Patient]:
    settings.TASKS = IMMEDIATE  # deliver at once, as the worker would
    clinic.on_call_email = "oncall@lakeside.example"
    clinic.save()
    clinician = make_staff(clinic, Role.CLINICIAN)
    patient = Patient.objects.create(
        clinic=clinic,
        first_name="Robin",
        last_name="Example",
        date_of_birth=date(1980, 5, 4),
        email="robin@example.test",
        clinician=clinician,
    )
    return clinician, patient


def _sign_in(page: Any, user: Any) -> None:
    page.goto("/staff/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code").fill(current_totp(user))
    page.get_by_role("button", name="Verify").click()


def test_saddle_numbness_on_the_intake_link_reaches_the_on_call_clinician(phone_page, page, setup):
    clinician, patient = setup
    token = new_token()
    IntakeLink.objects.create(
        patient=patient,
        token_hash=token_hash(token),
        expires_at=datetime.now(UTC) + timedelta(days=14),
    )
    # The patient, on a phone
    phone = phone_page
    phone.goto(f"/intake/{token}/")
    phone.get_by_role("button", name="Save and continue").click()
    assert "Step 2 of 5" in phone.content()
    for flag in CAUDA_EQUINA_IDS:
        value = "True" if flag == "saddle_anesthesia" else "False"
        phone.locator(f'input[name="{flag}"][value="{value}"]').check()
    phone.get_by_role("button", name="Save and continue").click()
    assert "Step 3 of 5" in phone.content()
    instruction = phone.locator("#instruction")
    assert "Go to an emergency department now" in instruction.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    # The clinician, at a desk
    _sign_in(page, clinician)
    first_section = page.locator("main section").first
    assert "Open alerts" in first_section.inner_text()
    assert "saddle_anesthesia" in first_section.inner_text()
    assert "Example, Robin" in first_section.inner_text()

    page.goto("/staff/outbox/")
    row = page.locator("tr", has_text="oncall@lakeside.example")
    assert "safety.alert" in row.inner_text() and "Sent" in row.inner_text()

    page.goto("/staff/")
    page.locator("#alerts").get_by_role("link", name="Acknowledge").click()
    page.get_by_role("button", name="Acknowledge alert").click()
    assert "What did you do: choose the action you took." in page.content()
    page.get_by_label("What did you do?").select_option("sent_to_emergency")
    page.get_by_label("Details").fill("Phoned, on her way to the ED")
    page.get_by_role("button", name="Acknowledge alert").click()
    assert "Acknowledged by" in page.locator("#acknowledged").inner_text()
    alert = Alert.objects.get(patient=patient)
    assert alert.acknowledged_by == clinician and alert.source == "intake"
    page.goto("/staff/")
    assert page.locator("#alerts").count() == 0


def test_fever_on_the_72_hour_check_in_becomes_an_adverse_event(phone_page, page, setup):
    clinician, patient = setup
    today = datetime.now(UTC).date() - timedelta(days=1)
    procedure = FibrinProcedure.objects.create(
        patient=patient,
        performed_on=today - timedelta(days=2),
        levels=["L4-L5"],
        product="Fibrin sealant (test)",
        lot_number="LOT-7",
        volume_ml_per_level={"L4-L5": 2},
        operator=clinician,
    )
    ctx = AuditContext.system("test")
    actions.schedule_check_ins(
        patient,
        procedure_kind="fibrin",
        procedure_ref=f"FibrinProcedure:{procedure.pk}",
        procedure_on=procedure.performed_on,
        ctx=ctx,
    )
    token = actions.issue_check_in_link(CheckIn.objects.get(kind="72h"), ctx=ctx)

    phone = phone_page
    phone.goto(f"/check-in/{token}/")
    for question in ("fever", "needle_site", "leg_weakness", "bladder_bowel", "back_pain_worse"):
        answer = "yes" if question == "fever" else "no"
        phone.locator(f'input[name="{question}"][value="{answer}"]').check()
    phone.get_by_role("button", name="Send my answers").click()
    assert "Call us today" in phone.locator("#instruction").inner_text()
    assert patient.clinic.phone in phone.locator("#instruction").inner_text()

    _sign_in(page, clinician)
    alerts = page.locator("#alerts")
    assert "post_procedure_fever" in alerts.inner_text() and "Urgent" in alerts.inner_text()
    alerts.get_by_role("link", name="Post procedure fever").click()
    page.get_by_role("link", name="Record an adverse event from this alert").click()
    assert page.get_by_label("Date of onset").input_value() != ""
    page.get_by_label("Severity").select_option("moderate")
    page.get_by_label("Related to the procedure: how likely").select_option("possible")
    page.get_by_label("Outcome").select_option("recovering")
    page.locator('input[name="related"][value="true"]').check()
    page.locator('input[name="serious"][value="false"]').check()
    page.get_by_role("button", name="Record adverse event").click()
    page.wait_for_url(f"**/staff/patients/{patient.pk}/treatment/")
    event = AdverseEvent.objects.get(patient=patient)
    assert event.procedure == procedure and "fever" in event.description
    alert = Alert.objects.get(patient=patient)
    assert alert.adverse_event == event and alert.acknowledged_at is not None
    assert OutboundEmail.objects.filter(to="oncall@lakeside.example").exists()
