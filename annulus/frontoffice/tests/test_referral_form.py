"""The referring doctor's public form: a lead marked as a referral, linked to the doctor, with
its files checked by content; bad input and scripts are told what happened, honestly."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annulus.audit.models import AuditEvent
from annulus.documents.storage import document_storage
from annulus.documents.tests.conftest import EXE_BYTES, PDF_BYTES
from annulus.frontoffice.models import Referral, ReferralAttachment, ReferringDoctor
from annulus.frontoffice.npi import with_check_digit
from annulus.leads.forms import started_stamp
from annulus.leads.models import HeardAbout, Lead

pytestmark = pytest.mark.django_db
NPI = with_check_digit("192837465")


def form(**changes):
    data = {
        "doctor_name": "Dr Imogen Farrow (synthetic)",
        "practice": "Northside Family Medicine",
        "npi": NPI,
        "doctor_email": "farrow@northside.test",
        "doctor_fax": "",
        "first_name": "Casey",
        "last_name": "Merriweather",
        "date_of_birth": "1968-11-03",
        "email": "Casey.M@example.org",
        "phone": "+1 555 0133",
        "reason": "Chronic low back pain for two years despite physical therapy.",
        "consent": "on",
        "started": started_stamp(),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def pdf(name="letter.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_a_referral_makes_a_lead_marked_as_referred_by_that_doctor(client, clinic, quick_forms):
    response = client.post("/refer/", {**form(), "attachments": [pdf(), pdf("mri.pdf")]})

    assert response.status_code == 302
    assert response["Location"] == "/refer/thanks/"
    referral = Referral.objects.get()
    lead = Lead.objects.get()
    assert referral.lead == lead
    assert lead.email == "casey.m@example.org"
    assert lead.heard_about == HeardAbout.DOCTOR
    assert lead.consent_wording_version == "referral-form-v1"
    assert referral.doctor.npi == NPI
    assert referral.doctor.email == "farrow@northside.test"
    # The same bytes twice are two files of one referral, both readable from storage.
    files = list(ReferralAttachment.objects.filter(referral=referral))
    assert len(files) == 2
    for stored in files:
        with document_storage().open(stored.storage_name, "rb") as handle:
            assert handle.read() == PDF_BYTES
        assert stored.storage_name.startswith("referrals/")
    event = AuditEvent.objects.get(action="referral.received")
    assert event.details["attachments"] == 2
    assert "Merriweather" not in str(event.details) and "casey" not in str(event.details)


def test_an_existing_doctor_is_linked_but_not_rewritten_by_the_public_form(
    client, clinic, quick_forms
):
    known = ReferringDoctor.objects.create(
        clinic=clinic, name="Dr Farrow", npi=NPI, fax="+1 555 0177"
    )
    client.post("/refer/", form(doctor_name="Someone Else", doctor_email="x@evil.test"))

    known.refresh_from_db()
    assert Referral.objects.get().doctor == known
    assert (known.name, known.email) == ("Dr Farrow", "")


def test_a_disguised_executable_is_refused_and_nothing_is_stored(
    client, clinic, quick_forms, document_store
):
    exe = SimpleUploadedFile("report.pdf", EXE_BYTES, content_type="application/pdf")
    response = client.post("/refer/", {**form(), "attachments": [exe]})

    assert response.status_code == 400
    assert "its content was checked, not its name" in response.content.decode()
    assert "Letters or reports (report.pdf)" in response.content.decode()
    assert not Referral.objects.exists() and not Lead.objects.exists()
    assert not document_store.exists() or not any(document_store.rglob("*.*"))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"npi": "1234567890"}, "Your NPI: the check digit does not match"),
        ({"npi": "12345"}, "Your NPI: an NPI is exactly 10 digits"),
        ({"doctor_email": "", "doctor_fax": ""}, "Your email or fax: enter at least one"),
        ({"email": ""}, "Patient&#x27;s email: enter it"),
        ({"reason": ""}, "Reason for referral: say briefly why"),
        ({"consent": None}, "Please confirm the patient agreed"),
        ({"date_of_birth": "2999-01-01"}, "date of birth: it must be in the past"),
    ],
)
def test_each_problem_is_named_at_its_field(client, clinic, quick_forms, changes, message):
    response = client.post("/refer/", form(**changes))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Referral.objects.exists()


def test_a_fax_alone_is_enough_to_send_the_note_back(client, clinic, quick_forms):
    client.post("/refer/", form(doctor_email="", doctor_fax="+1 555 0188"))
    assert Referral.objects.get().doctor.fax == "+1 555 0188"


def test_a_double_submit_is_one_referral(client, clinic, quick_forms):
    client.post("/refer/", {**form(), "attachments": [pdf()]})
    client.post("/refer/", {**form(), "attachments": [pdf()]})

    assert Referral.objects.count() == 1
    assert ReferralAttachment.objects.count() == 1


def test_a_too_fast_submit_is_asked_again_honestly(client, clinic, settings):
    settings.ANNULUS_GUIDE_MIN_FILL_SECONDS = 60
    settings.RATE_LIMITS_ON = False
    response = client.post("/refer/", form())

    assert response.status_code == 400
    assert "we want to be sure a person sent it" in response.content.decode()
    assert not Referral.objects.exists()
    assert AuditEvent.objects.filter(action="referral.spam_refused").count() == 1


def test_a_filled_honeypot_is_thanked_and_nothing_is_stored(client, clinic, quick_forms):
    response = client.post("/refer/", form(website="http://spam.example"))

    assert response.status_code == 302
    assert not Referral.objects.exists() and not Lead.objects.exists()


def test_the_form_is_rate_limited_per_address(client, clinic, rate_limits, settings):
    settings.ANNULUS_GUIDE_MIN_FILL_SECONDS = 0
    codes = [client.post("/refer/", form(email=f"p{n}@example.org")).status_code for n in range(13)]
    assert codes[:12] == [302] * 12
    assert codes[12] == 429
