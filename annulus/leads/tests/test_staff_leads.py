from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from annulus.accounts.models import Membership, Role
from annulus.audit.models import AuditEvent
from annulus.leads.models import Lead, LeadStatus
from annulus.leads.staff_views import csv_safe
from annulus.patients.models import Consent, Patient
from annulus.testing import make_staff, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator_client(client, clinic):
    return sign_in(client, make_staff(clinic, Role.COORDINATOR))


def make_lead(clinic, n=1, **fields):
    now = timezone.now()
    values = {
        "first_name": f"Person{n}",
        "email": f"person{n}@example.org",
        "consent_wording_version": "guide-form-v1",
        "consent_given_at": now,
        "created_at": now,
    } | fields
    return Lead.objects.create(clinic=clinic, **values)


def test_it_lists_only_this_clinics_leads(coordinator_client, clinic, outsider):
    make_lead(clinic, 1)
    make_lead(Membership.objects.get(user=outsider).clinic, 2)
    html = coordinator_client.get("/staff/leads/").content.decode()
    assert "person1@example.org" in html
    assert "person2@example.org" not in html


def test_it_is_for_coordinators_directors_and_admins(staff_client, clinic):
    # staff_client is a clinician.
    assert staff_client.get("/staff/leads/").status_code == 403


def test_it_filters_by_status_source_contact_date_and_text(coordinator_client, clinic):
    make_lead(clinic, 1, heard_about="veterans")
    make_lead(clinic, 2, heard_about="search", status=LeadStatus.CONTACTED)
    make_lead(clinic, 3, unsubscribed_at=timezone.now())
    make_lead(clinic, 4, created_at=datetime(2020, 1, 15, 12, tzinfo=UTC))

    def shown(query):
        html = coordinator_client.get("/staff/leads/?" + query).content.decode()
        return {n for n in range(1, 5) if f"person{n}@example.org" in html}

    assert shown("") == {1, 2, 3, 4}
    assert shown("heard_about=veterans") == {1}
    assert shown("status=contacted") == {2}
    assert shown("contact=unsubscribed") == {3}
    assert shown("contact=ok") == {1, 2, 4}
    assert shown("until=2020-01-31") == {4}
    assert shown("since=2021-01-01") == {1, 2, 3}
    assert shown("q=PERSON3") == {3}
    assert shown("status=bogus") == {1, 2, 3, 4}


def test_it_pages_the_list(coordinator_client, clinic):
    for n in range(30):
        make_lead(clinic, n, created_at=timezone.now() - timedelta(minutes=n))
    first = coordinator_client.get("/staff/leads/").content.decode()
    assert "Page 1 of 2" in first
    assert "person0@example.org" in first and "person29@example.org" not in first
    second = coordinator_client.get("/staff/leads/?page=2").content.decode()
    assert "person29@example.org" in second


def test_it_exports_the_filtered_leads_as_csv_and_audits_it(coordinator_client, clinic):
    make_lead(clinic, 1, heard_about="veterans")
    make_lead(clinic, 2, heard_about="search")
    response = coordinator_client.get("/staff/leads/export.csv?heard_about=veterans")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Requested on", "First name", "Email"]
    assert [r[2] for r in rows[1:]] == ["person1@example.org"]
    event = AuditEvent.objects.get(action="lead.exported")
    assert event.details == {"rows": 1, "filters": ["heard_about"]}


def test_it_defuses_spreadsheet_formulas_in_the_export(coordinator_client, clinic):
    make_lead(clinic, 1, first_name='=HYPERLINK("http://evil.example","click")', phone="+1 555")
    response = coordinator_client.get("/staff/leads/export.csv")
    row = list(csv.reader(io.StringIO(response.content.decode())))[1]
    assert row[1] == '\'=HYPERLINK("http://evil.example","click")'
    assert row[3] == "'+1 555"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        (" =1", "' =1"),
        ("Pat", "Pat"),
        ("", ""),
        (None, ""),
    ],
)
def test_it_prefixes_every_formula_trigger(value, expected):
    assert csv_safe(value) == expected


def test_it_hides_another_clinics_lead_and_audits_the_attempt(coordinator_client, outsider):
    theirs = make_lead(Membership.objects.get(user=outsider).clinic, 9)
    assert coordinator_client.get(f"/staff/leads/{theirs.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", details__kind="lead").exists()


def test_it_converts_a_lead_into_a_patient_with_the_consent_record(coordinator_client, clinic):
    given = timezone.now() - timedelta(days=3)
    lead = make_lead(clinic, 1, phone="+1 555 0101", consent_given_at=given)
    response = coordinator_client.post(
        f"/staff/leads/{lead.pk}/",
        {
            "first_name": "Person1",
            "last_name": "Example",
            "email": lead.email,
            "phone": lead.phone,
            "veteran": "true",
        },
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    patient = Patient.objects.get()
    assert lead.patient == patient and lead.status == LeadStatus.CONVERTED
    assert (patient.clinic, patient.last_name, patient.veteran) == (clinic, "Example", True)
    consent = Consent.objects.get(patient=patient)
    assert (consent.kind, consent.granted, consent.wording_version, consent.source) == (
        "contact",
        True,
        "guide-form-v1",
        "guide_form",
    )
    assert consent.given_at == given
    event = AuditEvent.objects.get(action="lead.converted")
    assert event.patient_id == patient.pk
    assert event.details["consents"] == [
        {"kind": "contact", "granted": True, "wording_version": "guide-form-v1"}
    ]


def test_it_carries_an_unsubscribe_across_as_a_withdrawal(coordinator_client, clinic):
    lead = make_lead(
        clinic,
        1,
        consent_given_at=timezone.now() - timedelta(days=2),
        unsubscribed_at=timezone.now() - timedelta(days=1),
    )
    coordinator_client.post(
        f"/staff/leads/{lead.pk}/", {"first_name": "P", "last_name": "Q", "veteran": "unknown"}
    )
    kinds = list(Consent.objects.order_by("given_at").values_list("kind", "granted", "source"))
    assert kinds == [("contact", True, "guide_form"), ("contact", False, "guide_unsubscribe")]


def test_it_converts_a_lead_only_once(coordinator_client, clinic):
    lead = make_lead(clinic, 1)
    data = {"first_name": "P", "last_name": "Q", "veteran": "unknown"}
    coordinator_client.post(f"/staff/leads/{lead.pk}/", data)
    response = coordinator_client.post(f"/staff/leads/{lead.pk}/", data, follow=True)
    assert "already a patient" in response.content.decode()
    assert Patient.objects.count() == 1


def test_it_asks_for_the_last_name_before_converting(coordinator_client, clinic):
    lead = make_lead(clinic, 1)
    response = coordinator_client.post(f"/staff/leads/{lead.pk}/", {"first_name": "P"})
    assert "Last name: ask the person" in response.content.decode()
    assert not Patient.objects.exists()


def test_it_marks_a_lead_contacted(coordinator_client, clinic):
    lead = make_lead(clinic, 1)
    coordinator_client.post(f"/staff/leads/{lead.pk}/contacted/")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONTACTED
    assert AuditEvent.objects.filter(action="lead.contacted").count() == 1


def test_it_shows_staff_the_guide_pdf_as_sent(coordinator_client, clinic, guide_dir):
    response = coordinator_client.get("/staff/leads/guide.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_a_spanish_lead_becomes_a_spanish_speaking_patient_with_the_spanish_wording(
    coordinator_client, clinic
):
    lead = make_lead(clinic, 1, language="es", consent_wording_version="guide-form-es-v1")
    html = coordinator_client.get(f"/staff/leads/{lead.pk}/").content.decode()
    assert "wording guide-form-es-v1" in html and "Spanish" in html
    coordinator_client.post(
        f"/staff/leads/{lead.pk}/",
        {"first_name": "Person1", "last_name": "Example", "email": lead.email, "veteran": ""},
    )
    patient = Patient.objects.get()
    assert patient.language == "es"
    assert Consent.objects.get(patient=patient).wording_version == "guide-form-es-v1"
