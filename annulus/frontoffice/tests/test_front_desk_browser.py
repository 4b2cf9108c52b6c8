"""In the browser: staff send the consult note to a referring doctor, who opens it from the
link in the outbox; and a coordinator issues a Good Faith Estimate and gets its PDF."""

from __future__ import annotations

import re

import pytest

from annulus.accounts import demo
from annulus.accounts.models import User
from annulus.frontoffice.models import ConsultNoteShare, GoodFaithEstimate
from annulus.frontoffice.npi import with_check_digit
from annulus.frontoffice.referral_actions import DoctorDetails, save_doctor
from annulus.frontoffice.tests.conftest import CTX
from annulus.testing import audit_actions, current_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, user):
    page.goto("/staff/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code").fill(current_totp(user))
    page.get_by_role("button", name="Verify").click()


def test_staff_send_the_consult_note_and_the_doctor_opens_it(page, chromium, live_server):
    from annulus.candidacy import actions
    from annulus.candidacy.engine import load_protocol
    from annulus.candidacy.tests.record_helpers import candidate_record

    clinic = demo.seed_clinic()
    demo.seed_staff(clinic)
    clinician = User.objects.get(email="clinician@demo.annulus.test")
    patient = candidate_record(clinic)
    actions.record_evaluation(patient, protocol=load_protocol("annulus-default", 1), user=clinician)
    doctor = save_doctor(
        clinic,
        DoctorDetails(
            name="Dr Wren Halvorsen (synthetic)",
            practice="Birch Street Practice",
            npi=with_check_digit("246813579"),
            email="halvorsen@birch.test",
            fax="",
        ),
        actor=None,
        ctx=CTX,
    )

    sign_in(page, clinician)
    page.goto(f"/staff/patients/{patient.pk}/")
    record_nav = page.get_by_role("navigation", name="Patient record")
    record_nav.get_by_role("link", name="Referring doctors").click()
    page.get_by_label("Referring doctor").select_option(label=doctor.name)
    page.get_by_role("button", name="Link the doctor").click()
    assert "Doctor linked." in page.locator(".messages").inner_text()
    page.get_by_label(re.compile("^Send to")).select_option(label=doctor.name)
    page.get_by_label("Email link").check()
    page.get_by_role("button", name="Send the consult note").click()
    assert page.locator(".error-summary").count() == 0, page.locator(".error-summary").inner_text()
    assert "secure link" in page.locator(".messages").inner_text()

    # The link, read from the outbox (the worker has not sent it yet, so it is still there).
    page.goto("/staff/outbox/")
    row = page.locator("tr", has_text="frontoffice.consult_note")
    row.get_by_role("link").first.click()
    body = page.locator(".email-body").inner_text()
    assert patient.last_name not in body
    link = re.search(r"https?://\S+/referral-note/[A-Za-z0-9_-]{40,}/", body)
    assert link is not None

    as_doctor = chromium.new_context(base_url=live_server.url)
    try:
        doctor_page = as_doctor.new_page()
        doctor_page.goto(link.group(0))
        assert doctor_page.url == f"{live_server.url}/referral-note/"  # the token left the URL
        assert doctor_page.locator("h1").inner_text() == "Consult note"
        href = doctor_page.get_by_role("link", name="Open the consult note (PDF)").get_attribute(
            "href"
        )
        response = doctor_page.request.get(href)
        assert response.status == 200
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["cache-control"] == "no-store"
        assert response.body().startswith(b"%PDF")
    finally:
        as_doctor.close()
    assert ConsultNoteShare.objects.get().first_opened_at is not None
    actions_seen = audit_actions(patient_id=patient.pk)
    assert "consult_note.opened" in actions_seen and "consult_note.doctor_view" in actions_seen


def test_a_coordinator_produces_a_good_faith_estimate_pdf(page):
    from annulus.frontoffice.demo import seed_price_list
    from annulus.patients.models import Patient

    clinic = demo.seed_clinic()
    demo.seed_staff(clinic)
    seed_price_list(clinic)
    coordinator = User.objects.get(email="coordinator@demo.annulus.test")
    patient = Patient.objects.create(clinic=clinic, first_name="Ines", last_name="Okafor")

    sign_in(page, coordinator)
    page.goto(f"/staff/patients/{patient.pk}/")
    page.get_by_role("navigation", name="Patient record").get_by_role(
        "link", name="Coverage"
    ).click()
    page.get_by_label("Payer").select_option(label="Self-pay (uninsured or not using insurance)")
    page.get_by_role("button", name="Save coverage").click()
    assert "Coverage saved." in page.locator(".messages").inner_text()
    page.get_by_role("link", name="Good Faith Estimates").click()
    page.get_by_label(re.compile("^99204 ")).fill("1")
    page.get_by_label(re.compile("^22899 ")).fill("1")
    page.get_by_role("button", name="Issue the Good Faith Estimate").click()
    estimate = GoodFaithEstimate.objects.get(patient=patient)
    assert f"{estimate.number} issued" in page.locator(".messages").inner_text()

    href = page.get_by_role("link", name=f"Open {estimate.number} (PDF)").get_attribute("href")
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    assert "gfe.pdf.view" in audit_actions(patient_id=patient.pk)
