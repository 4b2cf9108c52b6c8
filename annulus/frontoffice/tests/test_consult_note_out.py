"""The consult note goes back to the referring doctor as an expiring link (no PHI, no
attachment), the doctor's opening is audited and swaps the token for a session; or it is
recorded as faxed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from annulus.frontoffice.models import ConsultNoteShare
from annulus.frontoffice.referral_actions import ReferralError, link_doctor
from annulus.frontoffice.tests.conftest import CTX
from annulus.notifications.models import OutboundEmail
from annulus.testing import audit_actions, sign_in

pytestmark = pytest.mark.django_db


def send(client, patient, doctor, evaluation, **extra):
    data = {"doctor": doctor.pk, "evaluation": evaluation.pk, "channel": "email", **extra}
    posted = {"form": "send", **{f"send-{k}": v for k, v in data.items()}}
    return client.post(f"/staff/patients/{patient.pk}/referring-doctors/", posted)


def test_the_email_holds_a_link_and_nothing_about_the_patient(
    staff_client, doctor, evaluation, settings
):
    settings.ANNULUS_SITE_URL = "https://clinic.example"
    patient = evaluation.patient
    link_doctor(patient, doctor, actor=None, ctx=CTX)
    response = send(staff_client, patient, doctor, evaluation)

    assert response.status_code == 302
    email = OutboundEmail.objects.get(kind="frontoffice.consult_note")
    assert email.to == doctor.email
    assert email.attachments == []
    for phi in (patient.first_name, patient.last_name, str(patient.date_of_birth.year)):
        assert phi not in email.body_text and phi not in email.subject
    assert re.search(r"https://clinic\.example/referral-note/[A-Za-z0-9_-]{40,}/", email.body_text)
    share = ConsultNoteShare.objects.get()
    assert share.expires_at - share.sent_at == timedelta(days=14)
    assert "consult_note.emailed" in audit_actions(patient_id=patient.pk)


def test_the_doctor_opens_the_note_through_a_tokenless_page(
    staff_client, doctor, evaluation, mailoutbox
):
    patient = evaluation.patient
    link_doctor(patient, doctor, actor=None, ctx=CTX)
    send(staff_client, patient, doctor, evaluation)
    token = re.search(
        r"/referral-note/([A-Za-z0-9_-]{40,})/", OutboundEmail.objects.get().body_text
    )
    assert token is not None

    doctor_browser = Client()
    start = doctor_browser.get(f"/referral-note/{token.group(1)}/")
    assert start.status_code == 302 and start["Location"] == "/referral-note/"
    assert start["Cache-Control"] == "no-store"
    page = doctor_browser.get("/referral-note/")
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert patient.last_name in page.content.decode()
    pdf = doctor_browser.get("/referral-note/file/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert pdf["Cache-Control"] == "no-store"
    actions = audit_actions(patient_id=patient.pk)
    assert "consult_note.opened" in actions and "consult_note.doctor_view" in actions
    share = ConsultNoteShare.objects.get()
    assert share.first_opened_at is not None and share.open_count == 1
    # Another browser without the link sees nothing.
    assert Client().get("/referral-note/file/").status_code == 404


def test_an_expired_or_unknown_link_is_refused_and_audited(staff_client, doctor, evaluation):
    patient = evaluation.patient
    link_doctor(patient, doctor, actor=None, ctx=CTX)
    send(staff_client, patient, doctor, evaluation)
    token = re.search(
        r"/referral-note/([A-Za-z0-9_-]{40,})/", OutboundEmail.objects.get().body_text
    )
    ConsultNoteShare.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert Client().get(f"/referral-note/{token.group(1)}/").status_code == 404
    assert Client().get("/referral-note/" + "x" * 43 + "/").status_code == 404
    assert audit_actions(action="consult_note.link_refused") == ["consult_note.link_refused"] * 2


def test_a_doctor_not_linked_to_the_patient_gets_nothing(staff_client, doctor, evaluation):
    response = send(staff_client, evaluation.patient, doctor, evaluation)
    assert response.status_code == 400
    assert not ConsultNoteShare.objects.exists() and not OutboundEmail.objects.exists()


def test_a_fax_is_recorded_with_its_day_and_number_once(staff_client, doctor, evaluation):
    patient = evaluation.patient
    link_doctor(patient, doctor, actor=None, ctx=CTX)
    today = timezone.localdate(timezone=patient.clinic.zone)
    fax = {"channel": "fax", "fax_number": "+1 555 0166", "faxed_on": today.isoformat()}
    send(staff_client, patient, doctor, evaluation, **fax)
    send(staff_client, patient, doctor, evaluation, **fax)

    share = ConsultNoteShare.objects.get()
    assert (share.channel, share.fax_number, share.faxed_on) == ("fax", "+1 555 0166", today)
    assert not OutboundEmail.objects.exists()
    assert audit_actions(action="consult_note.faxed") == ["consult_note.faxed"]


def test_a_fax_without_a_day_is_refused_at_the_field(staff_client, doctor, evaluation):
    patient = evaluation.patient
    link_doctor(patient, doctor, actor=None, ctx=CTX)
    response = send(staff_client, patient, doctor, evaluation, channel="fax", fax_number="555 0166")
    assert response.status_code == 400
    assert "Faxed on: enter the day" in response.content.decode()


def test_another_clinics_staff_cannot_open_the_page(client, outsider, evaluation):
    sign_in(client, outsider)
    response = client.get(f"/staff/patients/{evaluation.patient_id}/referring-doctors/")
    assert response.status_code == 404


def test_a_doctor_of_another_clinic_cannot_be_linked(patient, outsider):
    from annulus.frontoffice.models import ReferringDoctor

    other = ReferringDoctor.objects.create(
        clinic=outsider.memberships.first().clinic, name="Dr X", npi="1234567893", fax="5550100"
    )
    with pytest.raises(ReferralError):
        link_doctor(patient, other, actor=None, ctx=CTX)
    assert mail.outbox == []
