"""Coverage through an audited action (VA linked, not copied), the price list, and Good Faith
Estimates for self-pay patients: itemized, with the disclaimer, stored with SHA-256, named by
the fibrin consent."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from django.template.loader import render_to_string

from annulus.audit.models import AuditEvent
from annulus.documents.storage import document_storage
from annulus.frontoffice import coverage_actions as actions
from annulus.frontoffice.gfe import DISCLAIMER, estimate_context
from annulus.frontoffice.models import Coverage, GoodFaithEstimate, PriceItem
from annulus.frontoffice.staff_forms import parse_dollars
from annulus.frontoffice.tests.conftest import CTX
from annulus.patients.models import ChangeRecord, CommunityCareAuthorization

pytestmark = pytest.mark.django_db


def va_authorization(patient, number="VA0042"):
    return CommunityCareAuthorization.objects.create(
        patient=patient,
        referral_number=number,
        seoc="Pain management (test SEOC)",
        authorized_services="Consultation",
        visits_authorized=4,
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 12, 31),
    )


def prices(clinic):
    return [
        actions.save_price_item(
            clinic, code=code, description=text, amount_cents=cents, actor=None, ctx=CTX
        )
        for code, text, cents in (
            ("99204", "New patient consultation", 32_500),
            ("22899", "Intra-annular fibrin injection, one level", 450_000),
        )
    ]


def test_coverage_is_saved_with_history_and_an_audit_event(staff_client, patient):
    response = staff_client.post(
        f"/staff/patients/{patient.pk}/coverage/",
        {"payer_type": "commercial", "payer_name": "Acme Health", "member_id": "XJ-1"},
    )
    assert response.status_code == 302
    coverage = Coverage.objects.get(patient=patient)
    assert (coverage.payer_type, coverage.member_id) == ("commercial", "XJ-1")
    assert ChangeRecord.objects.filter(patient=patient, record_type="Coverage").exists()
    event = AuditEvent.objects.get(action="coverage.save")
    assert event.details["payer_type"] == "commercial" and "XJ-1" not in str(event.details)


def test_va_community_care_links_the_patients_own_authorization(patient, clinic):
    auth = va_authorization(patient)
    details = actions.CoverageDetails(payer_type="va_community_care", va_authorization_id=auth.pk)
    coverage = actions.save_coverage(patient, details, actor=None, ctx=CTX)
    assert coverage.va_authorization == auth

    from annulus.patients.models import Patient

    other = Patient.objects.create(clinic=clinic, first_name="O", last_name="Ther")
    with pytest.raises(actions.CoverageError, match="this patient's"):
        actions.save_coverage(other, details, actor=None, ctx=CTX)
    with pytest.raises(actions.CoverageError, match="only for VA"):
        actions.save_coverage(
            patient,
            actions.CoverageDetails(
                payer_type="medicare", member_id="1", va_authorization_id=auth.pk
            ),
            actor=None,
            ctx=CTX,
        )


def test_insurance_needs_a_member_id(patient):
    with pytest.raises(actions.CoverageError) as refused:
        actions.save_coverage(patient, actions.CoverageDetails("tricare"), actor=None, ctx=CTX)
    assert refused.value.field == "member_id"


@pytest.mark.parametrize(("text", "cents"), [("1250.00", 125_000), ("$1,250.5", 125_050)])
def test_prices_are_parsed_to_cents(text, cents):
    assert parse_dollars(text) == cents


@pytest.mark.parametrize("text", ["12.345", "abc", "", "NaN"])
def test_a_malformed_price_is_refused(text):
    with pytest.raises(ValueError):
        parse_dollars(text)


def test_a_price_change_is_audited_with_before_and_after(clinic):
    item = prices(clinic)[0]
    actions.save_price_item(
        clinic,
        code="99204",
        description="Consult",
        amount_cents=35_000,
        item=item,
        actor=None,
        ctx=CTX,
    )
    last = AuditEvent.objects.filter(action="price_item.save").order_by("-id").first()
    assert last.details["amount_cents"] == [32_500, 35_000]
    with pytest.raises(actions.CoverageError, match="already on the price list"):
        actions.save_price_item(
            clinic, code="99204", description="Again", amount_cents=1, actor=None, ctx=CTX
        )


def test_only_a_self_pay_patient_gets_an_estimate(patient, clinic):
    consult, _ = prices(clinic)
    request = actions.EstimateRequest("Fibrin injection", {consult.pk: 1})
    with pytest.raises(actions.CoverageError, match="record the patient's coverage"):
        actions.issue_estimate(patient, request, actor=None, ctx=CTX)
    actions.save_coverage(
        patient, actions.CoverageDetails("medicare", member_id="1EG4"), actor=None, ctx=CTX
    )
    with pytest.raises(actions.CoverageError, match="Medicare"):
        actions.issue_estimate(patient, request, actor=None, ctx=CTX)
    assert not GoodFaithEstimate.objects.exists()


def test_the_estimate_is_itemized_printed_and_stored_with_its_sha256(patient, clinic):
    consult, injection = prices(clinic)
    actions.save_coverage(patient, actions.CoverageDetails("self_pay"), actor=None, ctx=CTX)
    request = actions.EstimateRequest(
        "Intra-annular fibrin injection",
        {consult.pk: 1, injection.pk: 2},
        provider_npi="1234567893",
    )
    estimate, created = actions.issue_estimate(patient, request, actor=None, ctx=CTX)

    assert created
    assert estimate.total_cents == 32_500 + 2 * 450_000
    assert [(i["code"], i["quantity"]) for i in estimate.items] == [("22899", 2), ("99204", 1)]
    with document_storage().open(estimate.pdf_storage_name, "rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == estimate.pdf_sha256
    again, created_again = actions.issue_estimate(patient, request, actor=None, ctx=CTX)
    assert (again.pk, created_again) == (estimate.pk, False)  # a double submit
    # A later price change leaves the issued estimate as it was.
    PriceItem.objects.filter(pk=injection.pk).update(amount_cents=1)
    assert GoodFaithEstimate.objects.get().total_cents == 932_500


def test_the_estimate_says_what_the_rule_requires(patient, clinic):
    actions.save_coverage(patient, actions.CoverageDetails("self_pay"), actor=None, ctx=CTX)
    estimate = GoodFaithEstimate(patient=patient, service_description="Consult", total_cents=32_500)
    estimate.items = [
        {
            "code": "99204",
            "description": "Consult",
            "quantity": 1,
            "unit_cents": 32_500,
            "total_cents": 32_500,
        }
    ]
    html = render_to_string("frontoffice/gfe_pdf.html", estimate_context(estimate))
    text = " ".join(DISCLAIMER)
    for required in ("at least $400", "dispute", "Keep a copy", "not a contract", "not a bill"):
        assert required in text, required
    assert "99204" in html and "$325.00" in html and "Rowan Ashcombe" in html


def test_the_fibrin_consent_names_the_estimate(staff_client, patient, clinic):
    consult, _ = prices(clinic)
    actions.save_coverage(patient, actions.CoverageDetails("self_pay"), actor=None, ctx=CTX)
    estimate, _ = actions.issue_estimate(
        patient, actions.EstimateRequest("Fibrin", {consult.pk: 1}), actor=None, ctx=CTX
    )
    page = staff_client.get(f"/staff/patients/{patient.pk}/consents/").content.decode()
    assert estimate.number in page
    assert f"/staff/patients/{patient.pk}/estimates/{estimate.pk}/pdf/" in page

    from annulus.consents.models import TreatmentConsent

    consent = TreatmentConsent(patient=patient, estimate_items=[], currency="USD")
    html = render_to_string("consents/_estimate.html", {"consent": consent})
    assert f"Good Faith Estimate: {estimate.number}" in html and "$325.00" in html


def test_the_stored_pdf_is_served_only_when_its_sha256_matches(staff_client, patient, clinic):
    consult, _ = prices(clinic)
    actions.save_coverage(patient, actions.CoverageDetails("self_pay"), actor=None, ctx=CTX)
    estimate, _ = actions.issue_estimate(
        patient, actions.EstimateRequest("Fibrin", {consult.pk: 1}), actor=None, ctx=CTX
    )
    url = f"/staff/patients/{patient.pk}/estimates/{estimate.pk}/pdf/"
    ok = staff_client.get(url)
    assert ok.status_code == 200 and ok["Cache-Control"] == "no-store"
    storage = document_storage()
    storage.delete(estimate.pdf_storage_name)
    storage.save(estimate.pdf_storage_name, __import__("io").BytesIO(b"%PDF-tampered"))
    assert staff_client.get(url).status_code == 409
    assert AuditEvent.objects.filter(action="gfe.pdf.refused").exists()
