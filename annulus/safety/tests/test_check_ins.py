from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from annulus.audit.context import AuditContext
from annulus.clinical.models import AdverseEvent, FibrinProcedure
from annulus.safety import actions
from annulus.safety.models import Alert, CheckIn
from annulus.safety.questions import QUESTION_IDS, alerts_for
from annulus.testing import audit_actions

pytestmark = pytest.mark.django_db
CTX = AuditContext.system("test")
ALL_NO = dict.fromkeys(QUESTION_IDS, "no")
# Yesterday in UTC is not in the future in any clinic's zone.
TODAY = datetime.now(UTC).date() - timedelta(days=1)


@pytest.fixture
def procedure(patient, clinician):
    return FibrinProcedure.objects.create(
        patient=patient,
        performed_on=TODAY - timedelta(days=3),
        levels=["L4-L5"],
        product="Fibrin sealant (test)",
        lot_number="LOT-1",
        volume_ml_per_level={"L4-L5": 2},
        operator=clinician,
    )


def _check_in(patient, procedure, kind="72h"):
    actions.schedule_check_ins(
        patient,
        procedure_kind="fibrin",
        procedure_ref=f"FibrinProcedure:{procedure.pk}",
        procedure_on=procedure.performed_on,
        ctx=CTX,
    )
    return CheckIn.objects.get(patient=patient, kind=kind)


def _visitor(check_in) -> Client:
    token = actions.issue_check_in_link(check_in, ctx=CTX)
    visitor = Client()
    assert visitor.get(f"/check-in/{token}/")["Location"] == "/check-in/"
    return visitor


@pytest.mark.parametrize(
    ("yes", "disc", "expected"),
    [
        (set(), True, []),
        ({"fever"}, True, [("post_procedure_fever", "urgent")]),
        ({"fever", "back_pain_worse"}, True, [("post_procedure_suspected_discitis", "emergency")]),
        (
            {"fever", "back_pain_worse"},
            False,
            [("post_procedure_fever", "urgent"), ("post_procedure_back_pain_worse", "urgent")],
        ),
        ({"bladder_bowel", "needle_site"}, False,
         [("post_procedure_bladder_bowel", "emergency"), ("post_procedure_needle_site", "urgent")]),
    ],
)  # fmt: skip
def test_every_yes_raises_an_alert_and_fever_with_worse_pain_after_a_disc_procedure_is_an_emergency(
    yes, disc, expected
):
    answers = {q: q in yes for q in QUESTION_IDS}
    assert [(r.code, r.severity) for r in alerts_for(answers, disc_procedure=disc)] == expected


def test_it_plans_a_72_hour_and_a_2_week_check_in_once_per_procedure(patient, procedure):
    _check_in(patient, procedure)
    _check_in(patient, procedure)
    kinds = list(CheckIn.objects.filter(patient=patient).values_list("kind", flat=True))
    assert sorted(kinds) == ["2w", "72h"]
    opens = {
        c.kind: c.opens_at.astimezone(patient.clinic.zone).date() for c in CheckIn.objects.all()
    }
    assert opens == {
        "72h": procedure.performed_on + timedelta(days=2),
        "2w": procedure.performed_on + timedelta(days=14),
    }


def test_recording_a_procedure_plans_its_check_ins(staff_client, patient):
    staff_client.post(
        f"/staff/patients/{patient.pk}/injections/new/",
        {
            "kind": "medial_branch",
            "performed_on": (TODAY - timedelta(days=1)).isoformat(),
            "levels": ["L4-L5"],
            "relief_percent": "50",
        },
    )
    assert CheckIn.objects.filter(patient=patient, procedure_kind="diagnostic_block").count() == 2


def test_it_plans_no_check_in_for_a_procedure_recorded_long_after(patient, procedure):
    actions.schedule_check_ins(
        patient,
        procedure_kind="fibrin",
        procedure_ref="FibrinProcedure:old",
        procedure_on=TODAY - timedelta(days=60),
        ctx=CTX,
    )
    assert not CheckIn.objects.filter(procedure_ref="FibrinProcedure:old").exists()


def test_a_fever_answer_tells_the_patient_to_call_today_and_alerts_staff(patient, procedure):
    check_in = _check_in(patient, procedure)
    visitor = _visitor(check_in)
    page = visitor.get("/check-in/").content.decode()
    assert "fever" in page
    response = visitor.post("/check-in/", {**ALL_NO, "fever": "yes"})
    assert response.status_code == 302
    done = visitor.get("/check-in/").content.decode()
    assert "Call us today" in done and patient.clinic.phone in done
    alert = Alert.objects.get(patient=patient)
    assert (alert.severity, alert.source, alert.code) == (
        "urgent",
        "survey",
        "post_procedure_fever",
    )
    assert "check_in.answered" in audit_actions(patient_id=patient.pk)
    # A second submission changes nothing.
    visitor.post("/check-in/", ALL_NO)
    assert CheckIn.objects.get(pk=check_in.pk).answers["fever"] is True


def test_fever_with_worse_back_pain_sends_the_patient_to_the_emergency_department(
    patient, procedure
):
    visitor = _visitor(_check_in(patient, procedure))
    visitor.post("/check-in/", {**ALL_NO, "fever": "yes", "back_pain_worse": "yes"})
    done = visitor.get("/check-in/").content.decode()
    assert "Go to an emergency department now" in done
    assert Alert.objects.get(patient=patient).severity == "emergency"


def test_it_refuses_a_check_in_with_a_missing_answer(patient, procedure):
    visitor = _visitor(_check_in(patient, procedure))
    page = visitor.post("/check-in/", {"fever": "no"}).content.decode()
    assert page.count("Please answer yes or no to this question.") == len(QUESTION_IDS) - 1
    assert CheckIn.objects.get(patient=patient, kind="72h").answered_at is None


def test_an_expired_or_tampered_link_is_refused(patient, procedure):
    check_in = _check_in(patient, procedure)
    token = actions.issue_check_in_link(check_in, ctx=CTX)
    assert Client().get(f"/check-in/{token[:-2]}xx/").status_code == 404
    CheckIn.objects.filter(pk=check_in.pk).update(link_expires_at=datetime.now(UTC))
    assert Client().get(f"/check-in/{token}/").status_code == 404


def test_the_clinician_records_an_adverse_event_from_the_alert_prefilled(
    staff_client, patient, procedure
):
    visitor = _visitor(_check_in(patient, procedure))
    visitor.post("/check-in/", {**ALL_NO, "fever": "yes"})
    alert = Alert.objects.get(patient=patient)
    form = staff_client.get(f"/staff/alerts/{alert.pk}/adverse-event/").content.decode()
    assert "fever" in form and f'value="{procedure.pk}" selected' in form
    bad = staff_client.post(
        f"/staff/alerts/{alert.pk}/adverse-event/",
        {"onset_on": "", "description": "", "related": "", "serious": ""},
    ).content.decode()
    assert "Date of onset: enter the date." in bad
    assert not AdverseEvent.objects.exists()
    data = {
        "procedure": procedure.pk,
        "onset_on": TODAY.isoformat(),
        "description": "Fever after the procedure",
        "severity": "moderate",
        "related": "true",
        "procedure_relatedness": "possible",
        "product_relatedness": "unlikely",
        "serious": "false",
        "action_taken": "medicine",
        "outcome": "recovering",
    }
    response = staff_client.post(f"/staff/alerts/{alert.pk}/adverse-event/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    staff_client.post(f"/staff/alerts/{alert.pk}/adverse-event/", data)
    event = AdverseEvent.objects.get()
    alert.refresh_from_db()
    assert alert.adverse_event_id == event.pk and alert.action_taken == "adverse_event"
    assert (event.severity, event.procedure_relatedness) == ("moderate", "possible")


def test_the_adverse_event_form_refuses_inconsistent_grading(staff_client, patient, procedure):
    data = {
        "onset_on": TODAY.isoformat(),
        "description": "x",
        "related": "false",
        "serious": "false",
        "severity": "life_threatening",
        "resolved_on": (TODAY - timedelta(days=9)).isoformat(),
        "medwatch_reported_on": TODAY.isoformat(),
    }
    page = staff_client.post(
        f"/staff/patients/{patient.pk}/treatment/adverse-events/new/", data
    ).content.decode()
    assert "Serious: a life-threatening or fatal event is serious." in page
    assert "Date resolved: cannot be before the date of onset." in page
    assert "Reportable to FDA MedWatch: tick it" in page
    assert not AdverseEvent.objects.exists()


def test_the_spanish_check_in_asks_the_same_questions_in_spanish_and_routes_the_same(
    patient, procedure
):
    """Issue #18: the same five questions and the same alerts, in the patient's words."""
    token = actions.issue_check_in_link(_check_in(patient, procedure), ctx=CTX)
    visitor = Client()
    assert visitor.get(f"/es/check-in/{token}/")["Location"] == "/es/check-in/"
    page = visitor.get("/es/check-in/").content.decode()
    assert "¿ha tenido fiebre, escalofríos o temblores?" in page
    assert "¿Tiene debilidad o entumecimiento nuevos en una pierna o un pie?" in page
    assert "have you had a fever" not in page and ">Yes<" not in page
    missing = visitor.post("/es/check-in/", {"fever": "no"}).content.decode()
    assert missing.count("Responda sí o no") == len(QUESTION_IDS) - 1
    visitor.post("/es/check-in/", {**ALL_NO, "fever": "yes", "back_pain_worse": "yes"})
    assert Alert.objects.get(patient=patient).severity == "emergency"
    # Same wording version as English (a translation, same meaning); the language is recorded.
    alert = Alert.objects.get(patient=patient)
    assert alert.answer["wording"] == "check-in-v1" and alert.answer["language"] == "es"
    assert CheckIn.objects.get(pk=alert.source_ref.split(":")[1]).language == "es"


def test_an_english_check_in_records_english(patient, procedure):
    visitor = _visitor(_check_in(patient, procedure))
    visitor.post("/check-in/", {**ALL_NO, "needle_site": "yes"})
    alert = Alert.objects.get(patient=patient)
    assert alert.answer["wording"] == "check-in-v1" and alert.answer["language"] == "en"
    assert CheckIn.objects.get(patient=patient, kind="72h").language == "en"


@pytest.mark.parametrize(
    ("language", "subject", "link", "words"),
    [
        ("es", "unas preguntas sobre cómo se encuentra", "/es/check-in/", "vaya a un servicio"),
        ("en", "a few questions about how you are", "/check-in/", "go to an emergency"),
    ],
)
def test_the_check_in_email_is_in_the_patient_s_language(
    patient, procedure, language, subject, link, words
):
    from annulus.notifications.models import OutboundEmail

    patient.language, patient.email = language, "robin@example.test"
    patient.save(update_fields=["language", "email"])
    check_in = _check_in(patient, procedure)
    assert actions.send_check_in.call(check_in.pk) == "sent"
    email = OutboundEmail.objects.get(kind="safety.check_in", patient_id=patient.pk)
    assert subject in email.subject and words in email.body_text
    assert f"{link}" in email.body_text and ("/es/" in email.body_text) == (language == "es")
