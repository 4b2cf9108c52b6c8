"""#14 item 7: the patient's access report (HIPAA 164.528) from a known audit trail."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from annulus.accounts.models import Role
from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.patients.access_report import (
    MAX_DAYS,
    WHY_DEFAULT,
    WHY_DENIED,
    WHY_PATIENT,
    AccessReportForm,
    build_report,
)
from annulus.patients.actions import issue_intake_link
from annulus.patients.models import AccessReportRequest
from annulus.patients.tests.test_record import make_patient
from annulus.testing import audit_actions, make_clinic, make_staff, sign_in

pytestmark = pytest.mark.django_db


def _today(clinic) -> date:
    return datetime.now(clinic.zone).date()


@pytest.fixture
def trail(clinic, client):
    """A patient whose record a clinician read and changed, an IT admin opened by break-glass,
    another clinic's clinician was refused, and the patient used their own link; plus a second
    patient whose events must never appear."""
    patient = make_patient(clinic)
    other = make_patient(clinic, first_name="Sasha", last_name="Otherperson")
    clinician = make_staff(clinic, Role.CLINICIAN)
    clinician.full_name = "Dana Morgan"
    clinician.save()
    sign_in(client, clinician)
    client.get(f"/staff/patients/{patient.pk}/")
    client.get(f"/staff/patients/{other.pk}/")
    admin = make_staff(clinic, Role.ADMIN)
    admin.full_name = "Ike Tanner"
    admin.save()
    it = sign_in(Client(), admin)
    it.post(f"/staff/break-glass/patients/{patient.pk}/", {"reason": "Printer jam on the record"})
    it.get(f"/staff/patients/{patient.pk}/")
    stranger = make_staff(make_clinic("Elsewhere Spine (test)"), Role.CLINICIAN)
    stranger.full_name = "Not Shown"
    stranger.save()
    sign_in(Client(), stranger).get(f"/staff/patients/{patient.pk}/")
    record("intake.patient_save", ctx=AuditContext.system("test"), clinic=clinic,
           patient_id=patient.pk)  # fmt: skip
    return patient, other


def test_the_report_lists_who_when_what_and_why_for_this_patient_only(trail, clinic):
    patient, _other = trail
    report = build_report(patient, _today(clinic) - timedelta(days=1), _today(clinic))
    rows = [(e.who, e.what, e.why) for e in report.entries]
    assert ("Dana Morgan (Clinician)", "Viewed the record", WHY_DEFAULT) in rows
    assert (
        "Ike Tanner (Administrator)",
        "Opened with emergency (break-glass) access",
        "Emergency access: Printer jam on the record",
    ) in rows
    # What the break-glass holder did inside the hour carries the same reason.
    assert (
        "Ike Tanner (Administrator)",
        "Viewed the record",
        "Emergency access: Printer jam on the record",
    ) in rows
    assert (
        "A member of staff of another clinic",
        "Tried to open the record (refused)",
        WHY_DENIED,
    ) in rows
    assert ("You (through your secure link)", "Saved intake answers", WHY_PATIENT) in rows
    assert all("Not Shown" not in who for who, _, _ in rows)
    assert [e.at for e in report.entries] == sorted(e.at for e in report.entries)
    # The other patient was read too, but that row is theirs.
    assert len([r for r in rows if r[0] == "Dana Morgan (Clinician)"]) == 1


def test_a_range_before_the_events_is_empty(trail, clinic):
    patient, _ = trail
    report = build_report(patient, date(2020, 1, 1), date(2020, 12, 31))
    assert report.entries == []


def test_staff_produce_the_pdf_and_producing_it_is_audited(trail, clinic, client):
    patient, other = trail
    coordinator = make_staff(clinic, Role.COORDINATOR)
    staff = sign_in(Client(), coordinator)
    url = reverse("patients:access_report", args=[patient.pk])
    assert staff.get(url).status_code == 200
    today = _today(clinic).isoformat()
    response = staff.post(url, {"date_from": today, "date_to": today})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"%PDF")
    assert "access_report.produced" in audit_actions(patient_id=patient.pk, actor=coordinator)
    assert "access_report.produced" not in audit_actions(patient_id=other.pk)


def test_the_pdf_text_names_staff_with_role_and_no_other_patient(trail, clinic):
    from django.template.loader import render_to_string

    patient, _other = trail
    report = build_report(patient, _today(clinic), _today(clinic))
    html = render_to_string("patients/access_report_pdf.html", {"report": report})
    assert "Dana Morgan (Clinician)" in html and "Printer jam on the record" in html
    assert "Otherperson" not in html and "Sasha" not in html


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.COORDINATOR, 200), (Role.CLINICIAN, 200), (Role.DIRECTOR, 200), (Role.ADMIN, 403)],
)
def test_who_may_produce_it(clinic, role, status):
    patient = make_patient(clinic)
    staff = sign_in(Client(), make_staff(clinic, role))
    today = _today(clinic).isoformat()
    url = reverse("patients:access_report", args=[patient.pk])
    response = staff.post(url, {"date_from": today, "date_to": today})
    assert response.status_code == status
    assert (response.get("Content-Type") == "application/pdf") == (status == 200)


def test_another_clinic_gets_a_404_and_an_audited_denial(clinic, outsider):
    patient = make_patient(clinic)
    staff = sign_in(Client(), outsider)
    url = reverse("patients:access_report", args=[patient.pk])
    assert staff.get(url).status_code == 404
    assert "access.denied" in audit_actions(patient_id=patient.pk)


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (0, 1, "date_to", "cannot be in the future"),
        (0, -1, "date_from", "must be on or before"),
        (-MAX_DAYS - 1, 0, "date_from", "at most six years"),
    ],
)
def test_bad_ranges_are_refused_naming_the_field(clinic, start, end, field, message):
    today = _today(clinic)
    data = {
        "date_from": (today + timedelta(days=start)).isoformat(),
        "date_to": (today + timedelta(days=end)).isoformat(),
    }
    form = AccessReportForm(data, today=today)
    assert not form.is_valid()
    assert message in " ".join(str(e) for e in form.errors[field])


def test_a_bad_range_answers_400_and_writes_nothing(clinic, staff_client):
    patient = make_patient(clinic)
    url = reverse("patients:access_report", args=[patient.pk])
    response = staff_client.post(url, {"date_from": "2025-02-01", "date_to": "2025-01-01"})
    assert response.status_code == 400
    assert "must be on or before" in response.content.decode()
    assert "access_report.produced" not in audit_actions(patient_id=patient.pk)


def _patient_session(clinic, patient) -> Client:
    _, token = issue_intake_link(patient, actor=None, ctx=AuditContext.system("test"))
    visitor = Client()
    assert visitor.get(f"/intake/{token}/").status_code == 302
    return visitor


def test_the_patient_asks_from_their_link_and_staff_see_it_until_produced(clinic):
    patient = make_patient(clinic)
    visitor = _patient_session(clinic, patient)
    page = visitor.get("/intake/access-report/")
    assert page.status_code == 200 and "Ask for the report" in page.content.decode()
    assert visitor.post("/intake/access-report/").status_code == 302
    assert visitor.post("/intake/access-report/").status_code == 302  # double submit
    assert AccessReportRequest.objects.filter(patient=patient, fulfilled_at=None).count() == 1
    assert "We have your request" in visitor.get("/intake/access-report/").content.decode()
    assert audit_actions(patient_id=patient.pk).count("access_report.requested") == 2

    coordinator = make_staff(clinic, Role.COORDINATOR)
    staff = sign_in(Client(), coordinator)
    home = staff.get("/staff/").content.decode()
    assert "Access reports requested by patients (1)" in home
    assert reverse("patients:access_report", args=[patient.pk]) in home
    today = _today(clinic).isoformat()
    staff.post(
        reverse("patients:access_report", args=[patient.pk]),
        {"date_from": today, "date_to": today},
    )
    request = AccessReportRequest.objects.get(patient=patient)
    assert request.fulfilled_by == coordinator and request.fulfilled_at is not None
    assert "Access reports requested by patients (1)" not in staff.get("/staff/").content.decode()
    report = build_report(patient, _today(clinic), _today(clinic))
    assert any(
        e.what == "Asked for an access report" and e.why == WHY_PATIENT for e in report.entries
    )


def test_without_a_link_session_the_request_page_refuses(clinic):
    response = Client().post("/intake/access-report/")
    assert response.status_code == 404
    assert not AccessReportRequest.objects.exists()


def test_denied_rows_count_as_refused(trail, clinic):
    patient, _ = trail
    report = build_report(patient, _today(clinic), _today(clinic))
    refused = [e for e in report.entries if e.refused]
    assert refused and all(e.why == WHY_DENIED for e in refused)
