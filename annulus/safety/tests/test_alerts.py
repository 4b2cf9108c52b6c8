from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from annulus.accounts.models import Role
from annulus.audit.context import AuditContext
from annulus.notifications.models import OutboundEmail
from annulus.safety import actions, delivery
from annulus.safety.models import Alert
from annulus.safety.tests.conftest import intake_visitor
from annulus.screening.red_flags import FLAG_IDS
from annulus.testing import audit_actions, make_staff, sign_in

pytestmark = pytest.mark.django_db
CTX = AuditContext.system("test")
NO_CAUDA = {
    "saddle_anesthesia": "False",
    "bladder_or_bowel_dysfunction": "False",
    "bilateral_sciatica": "False",
    "new_sexual_dysfunction": "False",
}


def _alert(patient, severity="emergency", code="saddle_anesthesia"):
    return actions.raise_alert(
        patient=patient,
        severity=severity,
        source="intake",
        code=code,
        source_ref=f"intake:{patient.pk}",
        answer={"question": code, "answer": "yes"},
        ctx=CTX,
    )


def test_it_raises_an_emergency_alert_and_shows_the_instruction_after_a_saddle_yes(
    staff_client, patient
):
    visitor = intake_visitor(staff_client, patient)
    answers = {**NO_CAUDA, "saddle_anesthesia": "True"}
    response = visitor.post("/intake/?section=2", answers)
    assert response.status_code == 302
    alert = Alert.objects.get(patient=patient)
    assert (alert.severity, alert.source, alert.code) == (
        "emergency",
        "intake",
        "saddle_anesthesia",
    )
    assert "alert.raised" in audit_actions(patient_id=patient.pk)
    page = visitor.get(response["Location"]).content.decode()
    assert "Go to an emergency department now" in page
    assert page.index("Go to an emergency department now") < page.index("<h1>")
    # Saving the page again does not raise a second alert.
    visitor.post("/intake/?section=2", answers)
    assert Alert.objects.filter(patient=patient).count() == 1


def test_it_tells_the_patient_to_call_today_for_a_non_emergency_flag(staff_client, patient):
    visitor = intake_visitor(staff_client, patient)
    response = visitor.post("/intake/?section=2", {**NO_CAUDA, "fever": "true"})
    page = visitor.get(response["Location"]).content.decode()
    assert "Call us today" in page and patient.clinic.phone in page
    assert "Go to an emergency department now\n" not in page
    assert Alert.objects.get(patient=patient).severity == "urgent"


def test_it_offers_no_not_known_answer_for_cauda_equina_questions_on_the_patient_form(
    staff_client, patient
):
    visitor = intake_visitor(staff_client, patient)
    page = visitor.get("/intake/?section=2").content.decode()
    saddle = page[page.index('name="saddle_anesthesia"') : page.index("progressive_neurological")]
    assert "Not known yet" not in saddle
    assert "Not known yet" in page  # the other flags keep it
    response = visitor.post("/intake/?section=2", {"fever": "false"})
    assert response.status_code == 200
    assert response.content.decode().count("Please answer yes or no to this question.") == 4
    staff_page = staff_client.get(f"/staff/patients/{patient.pk}/intake/").content.decode()
    assert "Not asked yet" in staff_page


def test_it_asks_every_v2_question_on_the_staff_and_patient_intake(staff_client, patient):
    staff_page = staff_client.get(f"/staff/patients/{patient.pk}/intake/").content.decode()
    visitor = intake_visitor(staff_client, patient)
    patient_page = visitor.get("/intake/?section=2").content.decode()
    for flag in FLAG_IDS:
        assert f'name="{flag}"' in staff_page, flag
        assert f'name="{flag}"' in patient_page, flag


def test_it_raises_a_staff_sourced_alert_when_staff_record_a_yes(staff_client, patient):
    staff_client.post(f"/staff/patients/{patient.pk}/intake/", {"night_or_rest_pain": "true"})
    alert = Alert.objects.get(patient=patient)
    assert (alert.source, alert.severity, alert.code) == ("staff", "urgent", "night_or_rest_pain")


def test_it_emails_the_on_call_address_and_the_clinician(patient):
    alert = _alert(patient)
    delivery.deliver_alert.call(alert.pk)
    emails = delivery.alert_emails(alert)
    assert sorted(e.to for e in emails) == sorted(
        ["oncall@clinic.example", patient.clinician.email]
    )
    assert all(patient.last_name not in e.body_text + e.subject for e in emails)
    assert "alert.delivered" in audit_actions(patient_id=patient.pk)


def test_it_resends_after_15_minutes_and_escalates_to_the_director_after_30(patient):
    director = make_staff(patient.clinic, Role.DIRECTOR)
    alert = _alert(patient)
    delivery.deliver_alert.call(alert.pk)
    first = {e.pk for e in delivery.alert_emails(alert)}
    assert actions.resend_due_alerts(alert.created_at + timedelta(minutes=14)) == []
    moved = actions.resend_due_alerts(alert.created_at + timedelta(minutes=15))
    assert [a.pk for a in moved] == [alert.pk]
    second = [e for e in delivery.alert_emails(alert) if e.pk not in first]
    assert sorted(e.to for e in second) == sorted(
        ["oncall@clinic.example", patient.clinician.email]
    )
    assert all("NOT YET ACKNOWLEDGED" in e.subject for e in second)
    # Running again in the same window sends nothing more.
    assert actions.resend_due_alerts(alert.created_at + timedelta(minutes=16)) == []
    actions.resend_due_alerts(alert.created_at + timedelta(minutes=30))
    escalated = OutboundEmail.objects.filter(to=director.email, kind=delivery.EMAIL_KIND)
    assert escalated.count() == 1 and "ESCALATED" in escalated.get().subject
    assert {"alert.resent", "alert.escalated"} <= set(audit_actions(patient_id=patient.pk))


def test_it_stops_resending_once_acknowledged_and_leaves_urgent_alerts_alone(patient, clinician):
    alert = _alert(patient)
    urgent = _alert(patient, severity="urgent", code="fever")
    actions.acknowledge_alert(alert, actor=clinician, ctx=CTX, action="called_patient")
    assert actions.resend_due_alerts(alert.created_at + timedelta(hours=1)) == []
    assert Alert.objects.get(pk=urgent.pk).escalation_level == 0


def test_it_refuses_an_acknowledgement_without_an_action_naming_the_field(staff_client, patient):
    alert = _alert(patient)
    page = staff_client.post(f"/staff/alerts/{alert.pk}/", {"action": ""}).content.decode()
    assert "What did you do: choose the action you took." in page
    page = staff_client.post(f"/staff/alerts/{alert.pk}/", {"action": "made_up"}).content.decode()
    assert "What did you do: choose one of the listed actions." in page
    page = staff_client.post(f"/staff/alerts/{alert.pk}/", {"action": "other"}).content.decode()
    assert "Details: say what you did" in page
    assert Alert.objects.get(pk=alert.pk).acknowledged_at is None


def test_it_records_one_acknowledgement_for_a_double_click(staff_client, patient):
    alert = _alert(patient)
    for _ in range(2):
        response = staff_client.post(
            f"/staff/alerts/{alert.pk}/", {"action": "sent_to_emergency", "note": "Spoke to her"}
        )
        assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.action_taken == "sent_to_emergency" and alert.action_note == "Spoke to her"
    assert audit_actions(patient_id=patient.pk).count("alert.acknowledged") == 1


def test_it_shows_open_alerts_first_on_the_home_and_patient_pages(staff_client, patient):
    _alert(patient, severity="urgent", code="fever")
    _alert(patient)
    home = staff_client.get("/staff/").content.decode()
    assert home.index("Open alerts") < home.index("<h1>")
    assert home.index("saddle_anesthesia") < home.index("fever")
    detail = staff_client.get(f"/staff/patients/{patient.pk}/").content.decode()
    assert detail.index("Open alerts") < detail.index("<h1>")


def test_it_hides_another_clinics_alert(client, patient, outsider):
    alert = _alert(patient)
    sign_in(client, outsider)
    assert client.get(f"/staff/alerts/{alert.pk}/").status_code == 404
    assert "saddle" not in client.get("/staff/").content.decode()


def test_it_warns_when_the_clinic_has_no_on_call_email(staff_client, clinic):
    assert 'id="no-on-call"' in staff_client.get("/staff/").content.decode()
    clinic.on_call_email = "oncall@clinic.example"
    clinic.save()
    assert 'id="no-on-call"' not in staff_client.get("/staff/").content.decode()


def test_the_command_lists_open_alerts_as_json(patient, clinician):
    open_one = _alert(patient)
    done = _alert(patient, severity="urgent", code="fever")
    actions.acknowledge_alert(done, actor=clinician, ctx=CTX, action="called_patient")
    out = StringIO()
    call_command("alerts", "--open", "--format", "json", stdout=out)
    rows = json.loads(out.getvalue())
    assert [r["id"] for r in rows] == [open_one.pk]
    row = rows[0]
    assert set(row) == {
        "id", "patient_id", "severity", "source", "code", "created_at", "acknowledged_at"
    }  # fmt: skip
    assert row["acknowledged_at"] is None and row["created_at"].endswith("+00:00")
    out = StringIO()
    call_command("alerts", "--format", "json", stdout=out)
    assert len(json.loads(out.getvalue())) == 2


def test_saving_the_intake_again_raises_no_second_alert_even_once_acknowledged(
    staff_client, patient, clinician
):
    url = f"/staff/patients/{patient.pk}/intake/"
    staff_client.post(url, {"night_or_rest_pain": "true"})
    alert = Alert.objects.get(patient=patient)
    actions.acknowledge_alert(alert, actor=clinician, ctx=CTX, action="called_patient")
    staff_client.post(url, {"night_or_rest_pain": "true", "back_pain_nrs": "5"})
    assert Alert.objects.filter(patient=patient).count() == 1


def test_housekeeping_resends_an_emergency_alert_whose_own_task_was_lost(patient):
    """`annulus serve` runs housekeeping every 5 minutes: a backstop for the per-alert tasks."""
    from annulus.lib.tasks import housekeeping

    alert = _alert(patient)
    delivery.deliver_alert.call(alert.pk)
    Alert.objects.filter(pk=alert.pk).update(created_at=alert.created_at - timedelta(minutes=16))
    first = {e.pk for e in delivery.alert_emails(alert)}
    assert "alerts re-sent or escalated 1" in housekeeping()
    assert [e for e in delivery.alert_emails(alert) if e.pk not in first]
    assert "alerts re-sent or escalated 0" in housekeeping()
