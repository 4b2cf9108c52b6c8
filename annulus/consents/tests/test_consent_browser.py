"""The patient signs the fibrin consent on a phone; staff then record the procedure and open the
signed PDF from the record."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal

import pytest

from annulus.accounts import demo
from annulus.accounts.models import User
from annulus.audit.context import AuditContext
from annulus.candidacy.actions import clinic_today
from annulus.clinical.models import FibrinProcedure
from annulus.consents.actions import EstimateItem, open_for_signing, prepare_consent
from annulus.consents.models import TreatmentConsent
from annulus.consents.texts import load_text
from annulus.patients.models import Patient, Stage
from annulus.testing import current_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_patient_signs_on_a_phone_then_staff_record_the_procedure_and_open_the_pdf(
    phone_page, page
):
    clinic = demo.seed_clinic()
    demo.seed_staff(clinic)
    clinician = User.objects.get(email="clinician@demo.annulus.test")
    patient = Patient.objects.create(
        clinic=clinic,
        first_name="Quinn",
        last_name="Whitaker",
        date_of_birth=date(1979, 2, 3),
        stage=Stage.DECISION,
        clinician=clinician,
    )
    consent = prepare_consent(
        patient,
        kind="fibrin-procedure",
        estimate=[EstimateItem("Procedure fee", Decimal("3200")), EstimateItem("Sealant", 850)],
        user=clinician,
        ctx=AuditContext.system("test"),
    )
    token, _ = open_for_signing(
        consent, channel="link", user=clinician, ctx=AuditContext.system("test")
    )

    # The patient, on their phone
    phone = phone_page
    phone.goto(f"/consent/{token}/")
    assert phone.url.endswith("/consent/")  # the token left the address bar
    assert "fibrin sealant" in phone.locator("h1").inner_text()
    assert "4050.00" in phone.content()
    phone.get_by_role("button", name="Sign the consent").click()
    assert "Not signed yet." in phone.content()
    for statement in load_text("fibrin-procedure").statements:
        phone.get_by_label(statement.text).check()
    phone.get_by_label("Type your full name to sign").fill("Quinn Whitaker")
    phone.get_by_role("button", name="Sign the consent").click()
    assert "your consent is signed" in phone.locator("h1").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    consent.refresh_from_db()
    assert consent.signed_at is not None and consent.signed_channel == "link"

    # Staff record the procedure
    page.goto("/staff/")
    page.get_by_label("Email").fill(clinician.email)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code").fill(current_totp(clinician))
    page.get_by_role("button", name="Verify").click()
    page.goto(f"/staff/patients/{patient.pk}/treatment/")
    page.get_by_role("link", name="Record a fibrin procedure").click()
    assert "Consent: signed by the patient" in page.content()
    today = clinic_today(patient)
    page.get_by_label("Date of procedure").fill(today.isoformat())
    page.get_by_label("L4-L5", exact=True).check()
    page.get_by_label("L4-L5 volume (mL)").fill("2")
    page.get_by_label("Product name").fill("Fibrin sealant (test)")
    page.get_by_label("Manufacturer").fill("Test Biologics")
    page.get_by_label("Lot number").fill("LOT-77")
    page.get_by_label("Lot expiry date").fill((today + timedelta(days=200)).isoformat())
    page.get_by_label("Labelled indication").fill("Adjunct to hemostasis in surgery")
    page.get_by_role("radio", name="Yes").check()
    page.get_by_label("Sedation").select_option("local")
    page.get_by_role("button", name="Record procedure").click()
    assert "Procedure recorded." in page.locator(".messages").inner_text()
    procedure = FibrinProcedure.objects.get(patient=patient)
    assert procedure.consent_id == consent.pk and procedure.off_label is True

    # ... and open the signed consent from the record
    link = page.get_by_role("link", name="Signed consent (PDF)")
    href = link.get_attribute("href")
    assert href == f"/staff/patients/{patient.pk}/consents/{consent.pk}/pdf/"
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "no-store"
    body = response.body()
    assert body.startswith(b"%PDF")
    assert hashlib.sha256(body).hexdigest() == TreatmentConsent.objects.get().pdf_sha256
