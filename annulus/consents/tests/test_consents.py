"""Consent: prepared with its estimate, signed once, versioned, PDF kept with its hash."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from django.test import Client

from annulus.audit.context import AuditContext
from annulus.consents.actions import (
    AlreadySigned,
    EstimateItem,
    open_for_signing,
    prepare_consent,
    sign_consent,
    valid_consent,
)
from annulus.consents.models import TreatmentConsent
from annulus.consents.texts import load_text
from annulus.testing import audit_actions

FIBRIN = "fibrin-procedure"


def prepare_form(**overrides: str) -> dict[str, str]:
    data = {
        "kind": FIBRIN,
        "item_1_label": "Procedure fee",
        "item_1_amount": "3200.00",
        "item_2_label": "Fibrin sealant",
        "item_2_amount": "850",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def prepare(staff_client: Client, patient, **overrides: str) -> TreatmentConsent:
    response = staff_client.post(
        f"/staff/patients/{patient.pk}/consents/", prepare_form(**overrides)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return TreatmentConsent.objects.filter(patient=patient).latest("id")


def make_link(staff_client: Client, patient, consent: TreatmentConsent) -> str:
    page = staff_client.post(
        f"/staff/patients/{patient.pk}/consents/{consent.pk}/open/", {"channel": "link"}
    ).content.decode()
    return re.search(r'value="http://testserver((?:/es)?/consent/[^"]+)"', page).group(1)


def signature(text_kind: str = FIBRIN, name: str = "Robin Example") -> dict[str, str]:
    data = {f"statement_{s.id}": "on" for s in load_text(text_kind).statements}
    data["typed_name"] = name
    return data


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kind": ""}, "Consent for: choose the procedure."),
        ({"kind": "laser"}, "Consent for: choose one of the listed procedures."),
        ({"item_1_amount": ""}, "Item 1 amount: enter the amount for Procedure fee."),
        ({"item_2_label": ""}, "Item 2: say what the amount is for."),
        ({"item_1_amount": "-5"}, "Item 1 amount: cannot be negative."),
        ({"item_1_amount": "12,50"}, "Item 1 amount: enter an amount, e.g. 1250.00."),
        (
            {"item_1_label": "", "item_1_amount": "", "item_2_label": "", "item_2_amount": ""},
            "Cost estimate: add at least one item with its amount.",
        ),
    ],
)
def test_preparing_refuses_wrong_or_missing_values(staff_client, patient, overrides, message):
    response = staff_client.post(
        f"/staff/patients/{patient.pk}/consents/", prepare_form(**overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not TreatmentConsent.objects.exists()


def test_the_patient_signs_through_their_link_and_the_pdf_is_kept_with_its_hash(
    staff_client, patient
):
    consent = prepare(staff_client, patient)
    assert consent.estimate_total == 4050
    assert valid_consent(patient, FIBRIN) is None
    url = make_link(staff_client, patient, consent)
    own = Client(REMOTE_ADDR="203.0.113.9")
    response = own.get(url)
    assert response["Location"] == "/consent/"  # the token leaves the address
    assert response["Referrer-Policy"] == "no-referrer"
    page = own.get("/consent/")
    html = page.content.decode()
    assert page["Cache-Control"] == "no-store"
    assert "failed against saline in its randomized trial" in html
    assert "not FDA-approved for this use" in html
    assert "4050.00" in html and "Fibrin sealant" in html
    assert not re.search(r'type="checkbox"[^>]* checked', html)  # nothing pre-ticked

    missing = signature()
    del missing["statement_failed-vs-saline"]
    response = own.post("/consent/", missing)
    assert "Statement 2 of 7: tick it to sign." in response.content.decode()
    response = own.post("/consent/", signature(name="Someone Else"))
    assert "Your full name: type your first and last name" in response.content.decode()
    consent.refresh_from_db()
    assert consent.signed_at is None

    response = own.post("/consent/", signature(name="  robin   EXAMPLE "))
    assert response["Location"] == "/consent/done/"
    consent.refresh_from_db()
    assert consent.signed_name == "robin EXAMPLE"
    assert consent.signed_ip == "203.0.113.9"
    assert consent.signed_channel == "link"
    assert consent.text_version == 1
    assert consent.text_sha256 == load_text(FIBRIN).sha256
    assert consent.token_hash is None
    data = consent.pdf.read()
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == consent.pdf_sha256
    assert f"/{patient.pk}/{consent.pk}-" in consent.pdf.name  # internal ids only
    assert valid_consent(patient, FIBRIN) == consent
    assert "consent.sign" in audit_actions(patient_id=patient.pk)
    # The link is spent.
    assert Client().get(url).status_code == 404


def test_a_double_submit_signs_once(staff_client, patient):
    consent = prepare(staff_client, patient)
    url = make_link(staff_client, patient, consent)
    own = Client()
    own.get(url)
    first = own.post("/consent/", signature())
    second = own.post("/consent/", signature())
    assert first["Location"] == second["Location"] == "/consent/done/"
    assert TreatmentConsent.objects.signed().filter(patient=patient).count() == 1
    assert audit_actions(action="consent.sign").count("consent.sign") == 1
    with pytest.raises(AlreadySigned):
        sign_consent(
            consent, typed_name="Robin Example", accepted=list(load_text(FIBRIN).statement_ids),
            ctx=AuditContext.system("test"),
        )  # fmt: skip


def test_re_signing_after_a_text_change_is_a_new_version_and_the_old_one_stays(
    staff_client, patient, texts_dir: Path
):
    consent = prepare(staff_client, patient)
    url = make_link(staff_client, patient, consent)
    own = Client()
    own.get(url)
    own.post("/consent/", signature())
    # Preparing the same version again is refused: it is signed.
    response = staff_client.post(f"/staff/patients/{patient.pk}/consents/", prepare_form())
    assert "already signed version 1" in response.content.decode()
    # The clinic releases version 2 of the text.
    v1 = (texts_dir / FIBRIN / "v1.yaml").read_text()
    (texts_dir / FIBRIN / "v2.yaml").write_text(
        v1.replace("version: 1", "version: 2").replace("Results vary", "Results vary a lot")
    )
    assert valid_consent(patient, FIBRIN) is None  # the procedure now needs the new version
    page = staff_client.get(f"/staff/patients/{patient.pk}/consents/").content.decode()
    assert "replaced by a newer text" in page
    renewed = prepare(staff_client, patient)
    assert renewed.pk != consent.pk and renewed.text_version == 2
    url = make_link(staff_client, patient, renewed)
    own = Client()
    own.get(url)
    assert "Results vary a lot" in own.get("/consent/").content.decode()
    own.post("/consent/", signature())
    signed = TreatmentConsent.objects.signed().filter(patient=patient).order_by("text_version")
    assert [c.text_version for c in signed] == [1, 2]
    assert signed[0].pdf_sha256 and signed[0].pdf_sha256 != signed[1].pdf_sha256
    assert valid_consent(patient, FIBRIN).pk == renewed.pk


def test_a_consent_prepared_before_a_text_change_cannot_be_signed(staff_client, patient, texts_dir):
    consent = prepare(staff_client, patient)
    url = make_link(staff_client, patient, consent)
    v1 = (texts_dir / FIBRIN / "v1.yaml").read_text()
    (texts_dir / FIBRIN / "v2.yaml").write_text(v1.replace("version: 1", "version: 2"))
    own = Client()
    own.get(url)
    response = own.post("/consent/", signature())
    assert "This consent form has been updated" in response.content.decode()
    assert not TreatmentConsent.objects.signed().exists()


def test_signing_on_the_clinic_tablet_opens_the_page_without_the_token(staff_client, patient):
    consent = prepare(staff_client, patient)
    response = staff_client.post(
        f"/staff/patients/{patient.pk}/consents/{consent.pk}/open/", {"channel": "tablet"}
    )
    assert re.fullmatch(r"/consent/[A-Za-z0-9_-]{40,64}/", response["Location"])
    assert staff_client.get(response["Location"])["Location"] == "/consent/"
    staff_client.post("/consent/", signature())
    consent.refresh_from_db()
    assert consent.signed_channel == "tablet"


def test_the_pdf_is_shown_to_staff_audited_uncached_and_refused_when_altered(staff_client, patient):
    consent = prepare(staff_client, patient)
    open_for_signing(consent, channel="link", user=None, ctx=AuditContext.system("test"))
    sign_consent(
        consent, typed_name="Robin Example", accepted=list(load_text(FIBRIN).statement_ids),
        ctx=AuditContext.system("test"),
    )  # fmt: skip
    url = f"/staff/patients/{patient.pk}/consents/{consent.pk}/pdf/"
    response = staff_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert "consent.pdf.view" in audit_actions(patient_id=patient.pk)
    consent.refresh_from_db()
    with open(consent.pdf.path, "ab") as handle:
        handle.write(b"tampered")
    response = staff_client.get(url)
    assert response.status_code == 409
    assert "does not match the SHA-256" in response.content.decode()


def test_another_clinic_cannot_see_the_consents(client, patient, outsider):
    from annulus.testing import sign_in

    consent = prepare_consent(
        patient, kind=FIBRIN, estimate=[EstimateItem("Fee", 10)], user=None,
        ctx=AuditContext.system("test"),
    )  # fmt: skip
    sign_in(client, outsider)
    assert client.get(f"/staff/patients/{patient.pk}/consents/").status_code == 404
    assert client.get(f"/staff/patients/{patient.pk}/consents/{consent.pk}/pdf/").status_code == 404


def test_a_wrong_or_expired_token_opens_nothing(staff_client, patient):
    assert Client().get("/consent/not-a-token/").status_code == 404
    assert Client().get("/consent/" + "a" * 43 + "/").status_code == 404
    assert Client().get("/consent/").status_code == 404
