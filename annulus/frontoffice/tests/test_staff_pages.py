"""Staff pages: referring doctors, incoming referrals and their files, the price list."""

from __future__ import annotations

import pytest

from annulus.accounts.models import Role
from annulus.audit.models import AuditEvent
from annulus.documents.tests.conftest import PDF_BYTES
from annulus.frontoffice.models import PriceItem, ReferringDoctor
from annulus.frontoffice.npi import with_check_digit
from annulus.frontoffice.referral_actions import IncomingReferral, receive_referral
from annulus.frontoffice.tests.conftest import CTX, details
from annulus.testing import make_staff, sign_in

pytestmark = pytest.mark.django_db


def doctor_form(**changes):
    data = {"name": "Dr Lio Marsh", "practice": "", "npi": with_check_digit("987654321")}
    data.update({"email": "marsh@clinic.test", "fax": "", **changes})
    return data


def test_staff_record_a_referring_doctor_and_bad_input_is_named(staff_client, clinic):
    bad = staff_client.post("/staff/referrers/", doctor_form(npi="9876543210"))
    assert bad.status_code == 400
    assert "NPI: the check digit does not match" in bad.content.decode()
    none = staff_client.post("/staff/referrers/", doctor_form(email=""))
    assert "Email or fax: enter at least one." in none.content.decode()

    assert staff_client.post("/staff/referrers/", doctor_form()).status_code == 302
    again = staff_client.post("/staff/referrers/", doctor_form(name="Twin"))
    assert "already recorded" in again.content.decode()
    assert ReferringDoctor.objects.get().name == "Dr Lio Marsh"
    assert AuditEvent.objects.filter(action="referring_doctor.save").count() == 1


def test_a_referral_and_its_file_are_read_with_an_audit_trail(client, clinic):
    import io

    referral, _ = receive_referral(
        clinic,
        IncomingReferral(
            doctor=details(),
            first_name="Ari",
            last_name="Stone",
            email="ari@example.org",
            phone="",
            date_of_birth=None,
            reason="Disc pain",
            attachments=[io.BytesIO(PDF_BYTES)],
        ),
        ctx=CTX,
    )
    sign_in(client, make_staff(clinic, Role.COORDINATOR))
    page = client.get(f"/staff/referrers/referrals/{referral.pk}/")
    assert page.status_code == 200 and "Stone" in page.content.decode()
    attachment = referral.attachments.get()
    file = client.get(f"/staff/referrers/referrals/{referral.pk}/files/{attachment.pk}/")
    assert file["Content-Type"] == "application/pdf" and file["Cache-Control"] == "no-store"
    assert b"".join(file.streaming_content) == PDF_BYTES
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"referral.read", "referral.attachment.view"} <= actions


def test_another_clinics_referral_is_not_found(client, clinic, outsider):
    referral, _ = receive_referral(
        clinic,
        IncomingReferral(details(), "Ari", "Stone", "ari@example.org", "", None, "Disc pain"),
        ctx=CTX,
    )
    sign_in(client, outsider)
    assert client.get(f"/staff/referrers/referrals/{referral.pk}/").status_code in (403, 404)


def test_only_the_director_changes_the_price_list(client, clinic):
    sign_in(client, make_staff(clinic, Role.COORDINATOR))
    data = {"code": "99204", "description": "Consult", "amount": "325.00", "active": "on"}
    assert client.get("/staff/price-list/").status_code == 200
    assert client.post("/staff/price-list/", data).status_code == 403
    sign_in(client, make_staff(clinic, Role.DIRECTOR))
    assert client.post("/staff/price-list/", {**data, "amount": "3.255"}).status_code == 400
    assert client.post("/staff/price-list/", data).status_code == 302
    assert PriceItem.objects.get().amount_cents == 32_500


def test_a_converted_referrals_files_join_the_patients_documents_once(staff_client, patient):
    import io

    from annulus.documents.models import Document

    referral, _ = receive_referral(
        patient.clinic,
        IncomingReferral(
            details(),
            "Rowan",
            "Ashcombe",
            "rowan@example.org",
            "",
            None,
            "Disc pain",
            attachments=[io.BytesIO(PDF_BYTES)],
        ),
        ctx=CTX,
    )
    referral.lead.patient = patient  # as convert_lead leaves it
    referral.lead.save(update_fields=["patient"])
    url = f"/staff/patients/{patient.pk}/referring-doctors/"
    page = staff_client.get(url).content.decode()
    assert "Referred through the website" in page
    assert f'<option value="{referral.doctor_id}" selected>' in page  # suggested for linking

    for _ in range(2):  # a double submit keeps one copy
        response = staff_client.post(url, {"form": "files", "referral": referral.pk})
        assert response.status_code == 302
    document = Document.objects.get(patient=patient)
    assert (document.kind, document.content_type) == ("referral_letter", "application/pdf")
    assert staff_client.post(url, {"form": "files", "referral": "x"}).status_code == 404
