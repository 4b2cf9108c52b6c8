from __future__ import annotations

import re
import threading

import pytest
from django.core import mail
from django.test import Client

from annulus.audit.models import AuditEvent
from annulus.leads.actions import unsubscribe_token
from annulus.leads.forms import started_stamp
from annulus.leads.models import Lead
from annulus.notifications.models import OutboundEmail
from annulus.testing import audit_actions
from annulus.website.tests.fixtures import run_worker

GOOD = {
    "first_name": "Pat",
    "email": "Pat.Example@Example.org",
    "consent": "on",
    "heard_about": "veterans",
}


def post(client, data, **extra):
    return client.post("/guide/", {**data, "started": started_stamp(), **extra})


@pytest.mark.django_db
def test_it_marks_the_required_fields_and_the_optional_ones(client, site_clinic):
    html = client.get("/guide/").content.decode()
    for label in ("First name", "Email address"):
        assert re.search(rf">{label} <span class=\"required\">\(required\)", html), label
    for label in ("Phone number", "How did you hear about us?"):
        assert re.search(rf">{re.escape(label)} <span class=\"required\">\(optional\)", html)
    assert re.search(r"I can unsubscribe at any time\. <span class=\"required\">\(required\)", html)


@pytest.mark.django_db
def test_it_explains_each_problem_at_its_field(client, site_clinic, quick_forms):
    response = post(client, {"email": "nope", "phone": "call me maybe"})
    assert response.status_code == 400
    html = response.content.decode()
    for field, message in (
        ("first_name", "Enter your first name"),
        ("email", "Enter an email address in the form"),
        ("consent", "Please tick the box"),
        ("phone", "Phone number: use digits"),
    ):
        assert re.search(rf'id="id_{field}_error">{message}', html), field
        assert f'href="#id_{field}"' in html  # the summary links to the field
    assert 'aria-describedby="id_email_helptext id_email_error"' in html
    assert not Lead.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_it_stores_the_lead_audits_it_and_emails_the_guide_pdf(
    client, site_clinic, quick_forms, guide_dir
):
    response = post(client, GOOD)
    assert response.status_code == 302
    assert response["Location"] == "/guide/thanks/"
    lead = Lead.objects.get()
    assert (lead.email, lead.first_name, lead.heard_about) == (
        "pat.example@example.org",
        "Pat",
        "veterans",
    )
    assert lead.consent_wording_version == "guide-form-v1"
    assert audit_actions(action="lead.guide_requested") == ["lead.guide_requested"]

    run_worker()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["pat.example@example.org"]
    filename, content, mimetype = message.attachments[0]
    assert mimetype == "application/pdf" and content[:5] == b"%PDF-"
    assert filename.endswith("guide-to-disc-pain.pdf")
    link = f"http://testserver/guide/unsubscribe/{unsubscribe_token(lead)}/"
    assert link in message.body
    assert link in message.alternatives[0][0]
    assert OutboundEmail.objects.get().status == "sent"
    lead.refresh_from_db()
    assert lead.guide_sent_at is not None and lead.guide_version


@pytest.mark.django_db(transaction=True)
def test_it_keeps_names_and_emails_out_of_the_audit_trail(client, site_clinic, quick_forms):
    post(client, GOOD)
    from annulus.audit.models import AuditEvent

    event = AuditEvent.objects.get(action="lead.guide_requested")
    assert "example.org" not in str(event.details) and "Pat" not in str(event.details)


@pytest.mark.django_db(transaction=True)
def test_it_dedupes_a_repeat_request_into_one_lead_and_one_email(
    client, site_clinic, quick_forms, guide_dir
):
    post(client, GOOD)
    post(client, {**GOOD, "email": "PAT.example@example.org ", "phone": "+1 555 0101"})
    run_worker()
    lead = Lead.objects.get()
    assert lead.request_count == 2
    assert lead.phone == "+1 555 0101"
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_it_stores_one_lead_when_the_form_is_submitted_twice_at_once(site_clinic, quick_forms):
    # Two browsers' worth of the same submit, racing: the unique (clinic, email) pair holds.
    stamp = started_stamp()
    barrier = threading.Barrier(2)
    results: list[int] = []

    def submit() -> None:
        client = Client()
        barrier.wait()
        response = client.post("/guide/", {**GOOD, "started": stamp})
        results.append(response.status_code)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [302, 302]
    assert Lead.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("extra", "reason"),
    [({"website": "http://spam.example"}, "honeypot"), ({"started": "forged"}, "no_start_stamp")],
)
def test_it_quietly_drops_what_a_script_submits(client, site_clinic, quick_forms, extra, reason):
    response = post(client, GOOD, **extra)
    assert response.status_code == 302  # the script learns nothing
    assert not Lead.objects.exists()
    from annulus.audit.models import AuditEvent

    assert AuditEvent.objects.get(action="lead.spam_refused").details == {"reason": reason}


@pytest.mark.django_db
def test_a_form_filled_too_fast_asks_to_send_again_instead_of_a_false_thanks(
    client, site_clinic, settings
):
    settings.ANNULUS_GUIDE_MIN_FILL_SECONDS = 60
    response = post(client, GOOD)
    assert response.status_code == 400
    html = response.content.decode()
    assert "press the button again" in html
    assert 'value="Pat"' in html  # the answers are kept
    assert "on its way" not in html
    assert not Lead.objects.exists()
    assert audit_actions(action="lead.spam_refused") == ["lead.spam_refused"]


@pytest.mark.django_db
def test_a_rejected_form_does_not_use_up_the_allowance(
    client, site_clinic, quick_forms, rate_limits
):
    for _ in range(8):
        assert post(client, {**GOOD, "email": "not an email"}).status_code == 400
    for n in range(5):
        assert post(client, {**GOOD, "email": f"p{n}@example.org"}).status_code == 302
    assert post(client, {**GOOD, "email": "p9@example.org"}).status_code == 429


@pytest.mark.django_db
def test_it_limits_requests_per_address(client, site_clinic, quick_forms, rate_limits):
    for n in range(5):
        assert post(client, {**GOOD, "email": f"p{n}@example.org"}).status_code == 302
    response = post(client, {**GOOD, "email": "p9@example.org"})
    assert response.status_code == 429
    assert "try again" in response.content.decode()
    assert Lead.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_it_unsubscribes_only_when_the_person_presses_the_button(
    client, site_clinic, quick_forms, guide_dir
):
    post(client, GOOD)
    lead = Lead.objects.get()
    url = f"/guide/unsubscribe/{unsubscribe_token(lead)}/"
    assert client.get(url).status_code == 200  # a mail scanner opening the link
    lead.refresh_from_db()
    assert lead.unsubscribed_at is None
    assert "You are unsubscribed" in client.post(url).content.decode()
    lead.refresh_from_db()
    assert lead.unsubscribed_at is not None
    assert audit_actions(action="lead.unsubscribed") == ["lead.unsubscribed"]
    run_worker()  # the guide queued before the unsubscribe is not sent
    assert len(mail.outbox) == 0


@pytest.mark.django_db
def test_it_refuses_a_forged_unsubscribe_link(client, site_clinic):
    assert client.post("/guide/unsubscribe/" + "A" * 43 + "/").status_code == 404
    assert client.get("/guide/unsubscribe/short/").status_code == 404


@pytest.mark.django_db
def test_the_spanish_form_shows_the_spanish_consent_wording_and_spanish_errors(
    client, site_clinic, quick_forms
):
    html = client.get("/es/guide/").content.decode()
    assert "Envíenme la guía gratuita por correo electrónico" in html
    assert "Email me the free guide" not in html
    assert "¿Cómo nos conoció?" in html and "Un grupo de veteranos o el VA" in html

    response = client.post(
        "/es/guide/", {"email": "nope", "phone": "call me maybe", "started": started_stamp()}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_phone_error">Número de teléfono: use solo números' in html
    assert 'id="id_consent_error">Marque la casilla' in html


@pytest.mark.django_db(transaction=True)
def test_a_spanish_request_records_the_spanish_wording_and_sends_a_spanish_guide(
    client, site_clinic, quick_forms, guide_dir
):
    response = client.post("/es/guide/", {**GOOD, "started": started_stamp()})
    assert response["Location"] == "/es/guide/thanks/"
    lead = Lead.objects.get()
    assert (lead.language, lead.consent_wording_version) == ("es", "guide-form-es-v1")
    event = AuditEvent.objects.get(action="lead.guide_requested")
    assert event.details["consent_wording"] == "guide-form-es-v1"

    run_worker()
    message = mail.outbox[0]
    assert message.subject == f"Su guía gratuita de {site_clinic.name}"
    assert "Hola, Pat:" in message.body and "suero salino" in message.body
    assert f"http://testserver/es/guide/unsubscribe/{unsubscribe_token(lead)}/" in message.body
    filename, content, _ = message.attachments[0]
    assert filename.endswith("-guia-sobre-el-dolor-de-disco.pdf") and content[:5] == b"%PDF-"
    html_body = message.alternatives[0][0]
    assert '<html lang="es">' in html_body and "Darse de baja de todos los correos" in html_body


@pytest.mark.django_db(transaction=True)
def test_the_same_person_asking_again_in_english_gets_english_from_then_on(
    client, site_clinic, quick_forms, guide_dir
):
    client.post("/es/guide/", {**GOOD, "started": started_stamp()})
    post(client, GOOD)
    lead = Lead.objects.get()
    assert lead.language == "en"
    assert lead.consent_wording_version == "guide-form-es-v1"  # the consent they first gave
    wordings = [
        e.details["consent_wording"]
        for e in AuditEvent.objects.filter(action="lead.guide_requested").order_by("id")
    ]
    assert wordings == ["guide-form-es-v1", "guide-form-v1"]
