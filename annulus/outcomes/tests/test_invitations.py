from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings

from annulus.audit.context import AuditContext
from annulus.lib.tokens import token_hash
from annulus.notifications.models import OutboundEmail, Status
from annulus.outcomes import actions
from annulus.outcomes.delivery import REDACTED, advance, milestones, reminder_days
from annulus.outcomes.models import Invitation, SurveyLink
from annulus.outcomes.tests.conftest import at, make_patient, today_in, token_in
from annulus.patients.actions import update_patient
from annulus.patients.models import Consent, ConsentKind
from annulus.testing import sign_in

BROKEN_SMTP = override_settings(
    EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    EMAIL_HOST="127.0.0.1",
    EMAIL_PORT=9,  # discard port: nothing listens, so the connection is refused
    EMAIL_TIMEOUT=2,
)


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def baseline_of(patient) -> Invitation:
    return Invitation.objects.select_related("follow_up__patient__clinic").get(
        follow_up__patient=patient, code="baseline"
    )


@pytest.mark.django_db(transaction=True)
def test_the_invitation_goes_out_when_the_window_opens_with_the_backends_answer(
    patient, mailoutbox, settings
):
    settings.ANNULUS_SITE_URL = "https://clinic.example"
    actions.enrol(patient)
    run_worker()  # the enrolment's timers: the baseline window is open, the rest wait

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["robin@example.test"]
    assert "Robin" not in message.body and "Example" not in message.body  # no name in email
    token = token_in(message.body)
    assert message.body.count("https://clinic.example/survey/") == 1
    baseline = baseline_of(patient)
    assert baseline.status == "sent"
    link = SurveyLink.objects.get(invitation=baseline)
    assert link.token_hash == token_hash(token)
    assert link.email.status == Status.SENT  # what the mail server said
    # The stored copy no longer holds a working link; only the hash is kept.
    stored = OutboundEmail.objects.get(pk=link.email_id)
    assert token not in stored.body_text
    assert REDACTED in stored.body_text
    assert not SurveyLink.objects.filter(token_hash=token).exists()
    assert Invitation.objects.filter(follow_up__patient=patient, status="scheduled").count() == 9


@pytest.mark.django_db(transaction=True)
@BROKEN_SMTP
def test_a_failed_delivery_is_shown_as_failed_never_as_sent(patient, client, clinician):
    actions.enrol(patient)
    run_worker()
    link = SurveyLink.objects.get(invitation=baseline_of(patient))
    assert link.email.status == Status.FAILED
    assert link.email.next_attempt_at is not None  # retried with back-off
    # The link stays in the stored copy until the retry succeeds.
    assert REDACTED not in OutboundEmail.objects.get(pk=link.email_id).body_text
    page = sign_in(client, clinician).get(f"/staff/patients/{patient.pk}/outcomes/")
    assert "Email: failed, will retry" in page.content.decode()


@pytest.mark.django_db
def test_two_reminders_follow_each_with_its_own_link_and_no_more(clinic):
    patient = make_patient(clinic, treated_in_days=20)  # baseline opens in 10 days
    follow_up = actions.enrol(patient, now=at(clinic, today_in(clinic)))
    baseline = baseline_of(patient)
    opens, due, closes = baseline.opens, baseline.due, baseline.closes
    assert reminder_days(baseline) == (due, closes - timedelta(days=3))

    assert advance(baseline.pk, now=at(clinic, opens, 8)) == "waiting for the window"
    assert advance(baseline.pk, now=at(clinic, opens, 10)) == "invited"
    assert advance(baseline.pk, now=at(clinic, opens + timedelta(1), 10)) == "nothing due"
    assert advance(baseline.pk, now=at(clinic, due, 10)) == "reminder-1"
    assert advance(baseline.pk, now=at(clinic, due, 11)) == "nothing due"
    assert advance(baseline.pk, now=at(clinic, closes - timedelta(3), 10)) == "reminder-2"
    assert advance(baseline.pk, now=at(clinic, closes, 20)) == "nothing due"

    links = SurveyLink.objects.filter(invitation=baseline)
    assert list(links.values_list("purpose", flat=True)) == [
        "invitation",
        "reminder-1",
        "reminder-2",
    ]
    assert OutboundEmail.objects.filter(patient_id=patient.pk).count() == 3
    assert Invitation.objects.get(pk=baseline.pk).reminders_sent == 2
    # every link still works until the window closes
    now = at(clinic, closes, 20)
    assert all(actions.check_link(link, now) is None for link in links)
    assert follow_up.invitations.filter(status="sent").count() == 1


@pytest.mark.django_db
def test_a_late_enrolment_gets_one_email_not_a_burst_of_reminders(clinic):
    patient = make_patient(clinic, treated_in_days=5)  # past the due day: one reminder left
    actions.enrol(patient)
    baseline = baseline_of(patient)
    assert advance(baseline.pk, now=at(clinic, today_in(clinic), 10)) == "invited"
    assert OutboundEmail.objects.count() == 1
    assert Invitation.objects.get(pk=baseline.pk).reminders_sent == 1


@pytest.mark.django_db
def test_the_window_closes_as_missed_without_answers_and_partial_with_some(clinic):
    one = make_patient(clinic, treated_in_days=5, email="one@example.test")
    two = make_patient(clinic, treated_in_days=5, email="two@example.test", first="Sam")
    for patient in (one, two):
        actions.enrol(patient)
        advance(baseline_of(patient).pk, now=at(clinic, today_in(clinic), 10))
    baseline = baseline_of(two)
    link, _ = actions.reissue(baseline)
    response = actions.open_response(link)
    page = actions.survey_pages(baseline)[0]
    actions.save_section(response, page, {"back-pain": 6})

    after = at(clinic, baseline.closes + timedelta(days=1), 1)
    assert advance(baseline_of(one).pk, now=after) == "missed"
    assert advance(baseline.pk, now=after) == "partial"
    assert baseline_of(one).status == "missed"
    closed = baseline_of(two)
    assert closed.status == "partial"
    assert closed.response.closed_at is not None
    part = closed.response.instruments.get(instrument_id="nrs-back")
    assert part.score == 6.0  # what they saved is scored and kept
    assert actions.check_link(link, after) == actions.LinkProblem.EXPIRED


@pytest.mark.django_db
def test_a_timer_set_for_old_dates_does_nothing_after_a_replan(patient, clinic):
    actions.enrol(patient)
    baseline = baseline_of(patient)
    old_revision = baseline.revision
    update_patient(
        patient,
        actor=None,
        ctx=AuditContext.system("test"),
        procedure_date=patient.procedure_date + timedelta(days=3),
    )
    assert advance(baseline.pk, now=at(clinic, today_in(clinic), 10), revision=old_revision) == (
        "stale"
    )
    assert OutboundEmail.objects.count() == 0
    assert advance(baseline.pk, now=at(clinic, today_in(clinic), 10)) == "invited"


@pytest.mark.django_db
def test_no_email_goes_to_a_patient_without_an_address_or_who_declined_surveys(clinic):
    no_address = make_patient(clinic, email="")
    declined = make_patient(clinic, email="declined@example.test", first="Lee")
    Consent.objects.create(patient=declined, kind=ConsentKind.OUTCOME_SURVEYS, granted=False,
                           wording_version="test", source="test")  # fmt: skip
    now = at(clinic, today_in(clinic), 10)
    for patient in (no_address, declined):
        actions.enrol(patient)
        assert advance(baseline_of(patient).pk, now=now) == "no email: staff can give a link"
        assert baseline_of(patient).status == "scheduled"
    assert OutboundEmail.objects.count() == 0
    # Staff can still give a link by phone; it is not emailed.
    link, token = actions.reissue(baseline_of(declined))
    assert link.email is None and token
    assert baseline_of(declined).status == "sent"


@pytest.mark.django_db
def test_the_timers_are_the_ones_the_plan_says(patient, clinic):
    actions.enrol(patient)
    baseline = baseline_of(patient)
    names = [name for name, _ in milestones(baseline)]
    assert names == ["invitation", "reminder-1", "reminder-2", "close"]
    moments = [moment for _, moment in milestones(baseline)]
    assert moments == sorted(moments)
    assert moments[0] == at(clinic, baseline.opens, 9)
