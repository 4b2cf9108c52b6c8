"""The procedure record: consent first, product lot and label, discography pressures, session."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from annulus.audit.context import AuditContext
from annulus.clinical.actions import record_discography, record_procedure
from annulus.clinical.consent_gate import ConsentRequired
from annulus.clinical.models import Discogram, DiscographySession, FibrinProcedure
from annulus.consents.testing import signed_consent
from annulus.consents.texts import TEXTS_DIR
from annulus.patients.models import Patient, Stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def patient(clinic):
    return Patient.objects.create(
        clinic=clinic,
        first_name="Robin",
        last_name="Example",
        date_of_birth=date(1980, 5, 4),
        stage=Stage.DECISION,
    )


def procedure_data(by, **changes):
    data = {
        "performed_on": "2026-06-10",
        "levels": ["L4-L5"],
        "volume_ml__L4-L5": "2",
        "product": "Fibrin sealant (test)",
        "manufacturer": "Test Biologics",
        "lot_number": "LOT-0042",
        "lot_expiry": "2027-01-31",
        "labelled_indication": "Adjunct to hemostasis in surgery",
        "off_label": "true",
        "guidance": "fluoroscopy",
        "operator": str(by.pk),
        "sedation": "local",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def discography_data(by, **changes):
    data = {
        "performed_on": "2026-05-02",
        "operator": str(by.pk),
        "sedation": "minimal",
        "antibiotic_prophylaxis": "intravenous",
        "antibiotic_agent": "cefazolin 1 g IV",
        "L3-L4__concordance": "none",
        "L3-L4__opening_pressure_psi": "8",
        "L3-L4__peak_pressure_psi_above_opening": "60",
        "L3-L4__volume_ml": "2.5",
        "L3-L4__pain_intensity": "0",
        "L4-L5__concordance": "concordant",
        "L4-L5__opening_pressure_psi": "9",
        "L4-L5__pain_onset_psi_above_opening": "12",
        "L4-L5__peak_pressure_psi_above_opening": "30",
        "L4-L5__volume_ml": "1.5",
        "L4-L5__pain_intensity": "8",
        "L4-L5__dallas_grade": "3",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def procedure_url(patient):
    return f"/staff/patients/{patient.pk}/treatment/procedures/new/"


def discography_url(patient):
    return f"/staff/patients/{patient.pk}/discography/"


# the fibrin procedure


def test_a_procedure_without_a_signed_consent_is_refused(staff_client, patient, clinician):
    page = staff_client.get(procedure_url(patient)).content.decode()
    assert "No signed consent." in page
    response = staff_client.post(procedure_url(patient), procedure_data(clinician))
    assert response.status_code == 200
    assert "Consent: the patient has not signed the fibrin procedure consent" in (
        response.content.decode()
    )
    assert not FibrinProcedure.objects.exists()
    patient.refresh_from_db()
    assert patient.stage == Stage.DECISION
    procedure = FibrinProcedure(
        patient=patient,
        performed_on=date(2026, 6, 10),
        levels=["L4-L5"],
        volume_ml_per_level={"L4-L5": 2.0},
        product="x",
        lot_number="y",
        operator=clinician,
        sedation="local",
    )
    with pytest.raises(ConsentRequired):
        record_procedure(procedure, actor=clinician, ctx=AuditContext.system("test"))
    assert not FibrinProcedure.objects.exists()


def test_a_consent_on_a_replaced_text_does_not_allow_the_procedure(
    staff_client, patient, clinician, settings, tmp_path: Path
):
    signed_consent(patient, "fibrin-procedure")  # version 1
    texts = tmp_path / "texts"
    import shutil

    shutil.copytree(TEXTS_DIR, texts)
    v1 = (texts / "fibrin-procedure" / "v1.yaml").read_text()
    (texts / "fibrin-procedure" / "v2.yaml").write_text(v1.replace("version: 1", "version: 2"))
    settings.ANNULUS_CONSENT_TEXTS_DIR = str(texts)
    response = staff_client.post(procedure_url(patient), procedure_data(clinician))
    assert "has not signed the fibrin procedure consent (current text)" in (
        response.content.decode()
    )
    assert not FibrinProcedure.objects.exists()


def test_a_signed_consent_lets_the_procedure_be_recorded_with_its_product_record(
    staff_client, patient, clinician
):
    consent = signed_consent(patient, "fibrin-procedure")
    response = staff_client.post(procedure_url(patient), procedure_data(clinician))
    assert response.status_code == 302
    procedure = FibrinProcedure.objects.get()
    assert procedure.consent == consent
    assert procedure.manufacturer == "Test Biologics"
    assert procedure.lot_expiry == date(2027, 1, 31)
    assert procedure.labelled_indication == "Adjunct to hemostasis in surgery"
    assert procedure.off_label is True
    page = staff_client.get(f"/staff/patients/{patient.pk}/treatment/").content.decode()
    assert "Off-label use</dt><dd><strong>Yes</strong>" in page
    assert f"/consents/{consent.pk}/pdf/" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"lot_expiry": "2026-06-09"}, "Lot expiry date: this lot expired on 9 Jun 2026"),
        ({"lot_expiry": None}, "Lot expiry date: enter the expiry date from the label."),
        ({"lot_expiry": "31/01/2027"}, "Lot expiry date: enter a real date"),
        ({"manufacturer": ""}, "Manufacturer: enter the manufacturer on the label."),
        ({"labelled_indication": ""}, "Labelled indication: enter what the label approves"),
        ({"off_label": None}, "Off-label use: answer yes or no."),
        ({"off_label": "perhaps"}, "Off-label use: answer yes or no."),
        ({"product": ""}, "Product name: enter the fibrin product used."),
        ({"lot_number": ""}, "Lot number: enter the lot from the product label."),
    ],
)
def test_the_product_record_refuses_wrong_or_missing_values(
    staff_client, patient, clinician, changes, message
):
    signed_consent(patient, "fibrin-procedure")
    response = staff_client.post(procedure_url(patient), procedure_data(clinician, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not FibrinProcedure.objects.exists()


def test_the_action_refuses_an_expired_lot_too(patient, clinician):
    signed_consent(patient, "fibrin-procedure")
    procedure = FibrinProcedure(
        patient=patient,
        performed_on=date(2026, 6, 10),
        levels=["L4-L5"],
        volume_ml_per_level={"L4-L5": 2.0},
        product="x",
        lot_number="y",
        lot_expiry=date(2026, 6, 1),
        operator=clinician,
        sedation="local",
    )
    with pytest.raises(ValueError, match="lot_expiry"):
        record_procedure(procedure, actor=clinician, ctx=AuditContext.system("test"))
    assert not FibrinProcedure.objects.exists()


# discography


def test_discography_needs_its_signed_consent(staff_client, patient, clinician):
    page = staff_client.get(discography_url(patient)).content.decode()
    assert "No signed discography consent." in page
    response = staff_client.post(discography_url(patient), discography_data(clinician))
    assert "Consent: the patient has not signed the discography consent" in (
        response.content.decode()
    )
    assert not Discogram.objects.exists() and not DiscographySession.objects.exists()
    with pytest.raises(ConsentRequired):
        record_discography(
            patient,
            date(2026, 5, 2),
            {"L4-L5": {"concordance": "none"}},
            session={"operator": clinician, "sedation": "none", "antibiotic_prophylaxis": "none"},
            actor=clinician,
            ctx=AuditContext.system("test"),
        )
    assert not Discogram.objects.exists()


def test_discography_without_a_session_still_needs_its_signed_consent(patient, clinician):
    # A caller that leaves out the session (a command, an import) must not skip the gate.
    levels = {"L4-L5": {"concordance": "concordant", "pain_intensity": 8, "dallas_grade": 3}}
    with pytest.raises(ConsentRequired, match="discography consent"):
        record_discography(
            patient, date(2026, 5, 2), levels, actor=clinician, ctx=AuditContext.system("test")
        )
    assert not Discogram.objects.exists() and not DiscographySession.objects.exists()
    signed_consent(patient, "discography")
    saved = record_discography(
        patient, date(2026, 5, 2), levels, actor=clinician, ctx=AuditContext.system("test")
    )
    assert [disc.level for disc in saved] == ["L4-L5"]
    assert Discogram.objects.get().dallas_grade == 3


def test_discography_records_pressures_volumes_and_the_session(staff_client, patient, clinician):
    consent = signed_consent(patient, "discography")
    response = staff_client.post(discography_url(patient), discography_data(clinician))
    assert response.status_code == 302
    session = DiscographySession.objects.get()
    assert (session.operator, session.sedation) == (clinician, "minimal")
    assert session.antibiotic_prophylaxis == "intravenous"
    assert session.antibiotic_agent == "cefazolin 1 g IV"
    assert session.consent == consent
    disc = Discogram.objects.get(level="L4-L5")
    assert (disc.peak_pressure_psi_above_opening, disc.volume_ml) == (30, 1.5)
    assert disc.session == session and disc.dallas_grade == 3
    page = staff_client.get(discography_url(patient)).content.decode()
    assert "cefazolin 1 g IV" in page and f"/consents/{consent.pk}/pdf/" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"L4-L5__dallas_grade": ""},
            "L4-L5: enter the Dallas grade (0–5); a concordant disc needs its",
        ),
        ({"L4-L5__dallas_grade": "6"}, "less than or equal to 5"),
        ({"L4-L5__volume_ml": "12"}, "less than or equal to 10"),
        ({"L4-L5__volume_ml": "-1"}, "greater than or equal to 0"),
        (
            {"L4-L5__peak_pressure_psi_above_opening": "5"},
            "L4-L5: the peak pressure cannot be below the pressure at pain onset.",
        ),
        ({"operator": ""}, "Operator: choose the clinician who did the discography."),
        ({"operator": "999999"}, "Operator: choose one of this clinic&#x27;s clinicians."),
        ({"sedation": ""}, "Sedation: choose the level of sedation."),
        ({"sedation": "general"}, "Sedation: choose one of the listed levels."),
        (
            {"antibiotic_prophylaxis": ""},
            "Antibiotic prophylaxis: choose none, intravenous or intradiscal.",
        ),
        ({"antibiotic_agent": ""}, "Antibiotic and dose: name the antibiotic and its dose."),
    ],
)
def test_the_discography_form_refuses_wrong_or_missing_values(
    staff_client, patient, clinician, changes, message
):
    signed_consent(patient, "discography")
    response = staff_client.post(discography_url(patient), discography_data(clinician, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Discogram.objects.exists() and not DiscographySession.objects.exists()
