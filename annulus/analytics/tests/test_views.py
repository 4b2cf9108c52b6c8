"""The staff report page, its CSV and PDF, publishing, and the public evidence snapshot."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from annulus.accounts.models import Role
from annulus.analytics.models import PublishedSnapshot
from annulus.analytics.tests.cohort import enrol
from annulus.testing import audit_actions, make_staff, sign_in

URL = "/staff/outcomes/report/"


def _cohort(clinic: Any, patients: int) -> None:
    today = timezone.now().date()
    treated = today - timedelta(days=400)
    for i in range(patients):
        scores = {"baseline": {"odi": 50}}
        if i % 4:
            scores["month-6"] = {"odi": 30 if i % 2 else 45}
        enrol(clinic, "fibrin", treated, today, scores)


def test_it_shows_the_report_to_a_clinician_with_charts_and_audits_it(
    staff_client: Any, clinic: Any
) -> None:
    _cohort(clinic, 12)
    response = staff_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Fibrin injection: 12 enrolled" in html
    assert "too few to say" in html  # the other arms have nobody
    assert 'src="data:image/svg+xml;base64,' in html and "ODI responders, Fibrin" in html
    assert "Saline (phase III)" in html
    assert audit_actions(action="analytics.report.view") == ["analytics.report.view"]


def test_it_refuses_a_coordinator(client: Any, clinic: Any) -> None:
    sign_in(client, make_staff(clinic, Role.COORDINATOR))
    assert client.get(URL).status_code == 403


def test_it_names_a_bad_filter(staff_client: Any, clinic: Any) -> None:
    response = staff_client.get(URL, {"treated_from": "yesterday", "arm": "saline"})
    assert response.status_code == 200
    assert "Treated from: write the day as YYYY-MM-DD." in response.content.decode()
    assert "Arm: choose one of" in response.content.decode()


def test_it_downloads_csv_and_pdf(staff_client: Any, clinic: Any) -> None:
    _cohort(clinic, 3)
    csv = staff_client.get(URL + "report.csv")
    assert csv["Content-Type"] == "text/csv"
    assert csv.content.decode().splitlines()[1].startswith("fibrin_injection,3,week-6")
    pdf = staff_client.get(URL + "report.pdf?arm=fibrin_injection")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert audit_actions(action="analytics.report.view") == ["analytics.report.view"] * 2


def test_it_keeps_other_clinics_out_of_the_report(staff_client: Any, outsider: Any) -> None:
    other = outsider.memberships.get().clinic
    _cohort(other, 5)
    assert "Fibrin injection: 0 enrolled" in staff_client.get(URL).content.decode()


@pytest.fixture
def director_client(client: Any, clinic: Any) -> Any:
    return sign_in(client, make_staff(clinic, Role.DIRECTOR))


def test_it_refuses_to_publish_with_fewer_than_30_due(director_client: Any, clinic: Any) -> None:
    _cohort(clinic, 29)
    response = director_client.post(URL + "publish/", {"code": "month-6"}, follow=True)
    assert "only 29 patients are due" in response.content.decode()
    assert not PublishedSnapshot.objects.exists()


def test_a_clinician_cannot_publish(staff_client: Any, clinic: Any) -> None:
    _cohort(clinic, 30)
    assert staff_client.post(URL + "publish/", {"code": "month-6"}).status_code == 403


def test_the_director_publishes_a_dated_snapshot_shown_on_the_evidence_page(
    director_client: Any, clinic: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.test import Client

    public = Client()
    assert "Nothing is published yet" in public.get("/learn/our-results/").content.decode()
    assert "Nothing is published yet" in public.get("/learn/evidence/").content.decode()
    _cohort(clinic, 32)
    with django_capture_on_commit_callbacks(execute=True):
        response = director_client.post(URL + "publish/", {"code": "month-6"}, follow=True)
    assert "Published the fibrin summary at 6 months" in response.content.decode()
    snapshot = PublishedSnapshot.objects.get()
    point = snapshot.data["time_point"]
    assert (point["due"], point["answered"]) == (32, 24)
    assert point["worst_case_rate"] == pytest.approx(point["responders"] / 32)
    assert audit_actions(action="analytics.snapshot.publish") == ["analytics.snapshot.publish"]
    page = public.get("/learn/our-results/").content.decode()
    assert "Saline (phase III)" in page and "Worst case" in page and "75" in page  # completion
    evidence = public.get("/learn/evidence/").content.decode()
    assert "Our own results" in evidence and "Saline (phase III)" in evidence
