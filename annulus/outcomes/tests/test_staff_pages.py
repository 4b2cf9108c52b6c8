from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest
from django.test import Client

from annulus.accounts.models import Role
from annulus.audit.models import AuditEvent
from annulus.outcomes import actions
from annulus.outcomes.models import FollowUp, Invitation, SurveyLink
from annulus.outcomes.tests.conftest import at, make_patient, today_in
from annulus.testing import make_staff, sign_in

pytestmark = pytest.mark.django_db


def page_of(client: Client, patient) -> str:
    response = client.get(f"/staff/patients/{patient.pk}/outcomes/")
    assert response.status_code == 200
    return response.content.decode()


def answer_baseline(patient, back: int, odi_sections: int) -> None:
    """The baseline, answered through the real actions."""
    invitation = Invitation.objects.get(follow_up__patient=patient, code="baseline")
    link, _ = actions.reissue(invitation)
    response = actions.open_response(link)
    pages = actions.survey_pages(invitation)
    actions.save_section(response, pages[0], {"back-pain": back})
    actions.save_section(response, pages[1], {"leg-pain": 2})
    for page in pages[2:12]:
        actions.save_section(response, page, {page.section.items[0].id: odi_sections})
    actions.save_section(response, pages[12], {item.id: 0 for item in pages[12].section.items})
    actions.submit(response)


def test_staff_enrol_a_patient_from_the_outcomes_page(staff_client, patient):
    text = page_of(staff_client, patient)
    assert "Not enrolled in follow-up" in text and "planned procedure date" in text
    staff_client.post(f"/staff/patients/{patient.pk}/outcomes/enrol/")
    text = page_of(staff_client, patient)
    assert "Enrolled in follow-up" in text
    assert FollowUp.objects.filter(patient=patient).exists()
    for label in ("Baseline", "2-week safety check", "6 weeks", "5 years"):
        assert label in text
    assert 'class="state state-due"' in text  # baseline: window open, before its due day
    assert text.count('class="state state-upcoming"') == 9


def test_the_patient_page_shows_scores_and_a_trajectory_with_mcid_bands(staff_client, patient):
    actions.enrol(patient)
    answer_baseline(patient, back=7, odi_sections=2)  # ODI 20/50 = 40 %
    text = page_of(staff_client, patient)
    row = re.search(r'<tr id="tp-baseline">.*?</tr>', text, re.S).group(0)
    assert "Completed" in row and "<strong>40</strong>" in row and "<strong>7</strong>" in row
    assert "Moderate disability" in row
    charts = re.findall(r'<img src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]+)"', text)
    titles = [alt.split(":")[0] for _, alt in charts]
    assert "Disability (ODI) (ODI %, lower is better)" in titles
    svg = base64.b64decode(charts[0][0]).decode()
    assert svg.startswith("<?xml") and "Within the MCID of baseline" in svg
    odi_alt = next(alt for _, alt in charts if alt.startswith("Disability (ODI)"))
    assert "Baseline 40" in odi_alt and "30 to 50" in odi_alt  # 10 points or 30 % (12): 10


def test_the_change_from_baseline_uses_the_responder_thresholds(staff_client, patient, clinic):
    actions.enrol(patient)
    answer_baseline(patient, back=8, odi_sections=3)  # ODI 60 %
    follow_up = FollowUp.objects.get(patient=patient)
    week_6 = follow_up.invitations.get(code="week-6")
    # Answer the 6-week time point as if it were 6 weeks later.
    later = at(clinic, week_6.opens + timedelta(days=2))
    Invitation.objects.filter(pk=week_6.pk).update(status="sent")
    link, _ = actions.issue_link(week_6, purpose="reissue", now=later)
    response = actions.open_response(link, now=later)
    pages = actions.survey_pages(week_6)
    actions.save_section(response, pages[0], {"back-pain": 4}, now=later)
    for page in pages[2:12]:
        actions.save_section(response, page, {page.section.items[0].id: 2}, now=later)
    actions.submit(response, now=later)
    text = page_of(staff_client, patient)
    change = re.search(r'<h2 id="change-heading">.*?</table>', text, re.S).group(0)
    assert "6 weeks" in change
    assert "Responder" in change and "20 points better (33\u00a0%)" in change  # ODI 60 -> 40
    assert "Strong responder" in change and "4 points better (50\u00a0%)" in change  # NRS 8 -> 4


def test_reissuing_a_link_shows_it_once_and_stops_the_old_one(staff_client, patient):
    actions.enrol(patient)
    baseline = Invitation.objects.get(code="baseline")
    _, old = actions.reissue(baseline)
    response = staff_client.post(
        f"/staff/patients/{patient.pk}/outcomes/invitations/{baseline.pk}/reissue/"
    )
    text = response.content.decode()
    assert response["Cache-Control"] == "no-store"
    new = re.search(r"/survey/([A-Za-z0-9_-]{43})/", text).group(1)
    assert "emailed to robin@example.test" in text
    assert Client().get(f"/survey/{old}/").status_code == 410
    assert Client().get(f"/survey/{new}/").status_code == 302
    assert SurveyLink.objects.filter(invitation=baseline, revoked_at__isnull=True).count() == 1
    assert "Re-issue link" in page_of(staff_client, patient)


def test_a_closed_window_cannot_be_reissued(staff_client, clinic):
    patient = make_patient(clinic, treated_in_days=60)  # baseline opens in 30 days
    actions.enrol(patient)
    baseline = Invitation.objects.get(code="baseline")
    response = staff_client.post(
        f"/staff/patients/{patient.pk}/outcomes/invitations/{baseline.pk}/reissue/", follow=True
    )
    assert "window for this time point is not open" in response.content.decode()
    assert not SurveyLink.objects.exists()


def test_another_clinics_patient_and_another_patients_time_point_are_not_found(
    client, clinic, patient, outsider
):
    actions.enrol(patient)
    baseline = Invitation.objects.get(code="baseline")
    sign_in(client, outsider)
    assert client.get(f"/staff/patients/{patient.pk}/outcomes/").status_code == 404
    assert (
        client.post(
            f"/staff/patients/{patient.pk}/outcomes/invitations/{baseline.pk}/reissue/"
        ).status_code
        == 404
    )
    colleague = sign_in(Client(), make_staff(clinic, Role.COORDINATOR))
    other = make_patient(clinic, email="sam@example.test", first="Sam")
    url = f"/staff/patients/{other.pk}/outcomes/invitations/{baseline.pk}/reissue/"
    assert colleague.post(url).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied").count() >= 3
    assert not SurveyLink.objects.exists()


def test_an_admin_may_neither_read_nor_issue_links(client, clinic, patient):
    actions.enrol(patient)
    baseline = Invitation.objects.get(code="baseline")
    admin = sign_in(client, make_staff(clinic, Role.ADMIN))
    # Minimum necessary (accounts/permissions.yaml): IT administration reads no records.
    assert admin.get(f"/staff/patients/{patient.pk}/outcomes/").status_code == 403
    url = f"/staff/patients/{patient.pk}/outcomes/invitations/{baseline.pk}/reissue/"
    assert admin.post(url).status_code == 403


def test_staff_can_stop_follow_up(staff_client, patient):
    actions.enrol(patient)
    staff_client.post(
        f"/staff/patients/{patient.pk}/outcomes/stop/", {"reason": "patient-withdrew"}
    )
    text = page_of(staff_client, patient)
    assert "Stopped" in text and "the patient asked to stop" in text
    assert Invitation.objects.filter(status="cancelled").count() == 10


def test_the_clinic_sees_completion_per_time_point(staff_client, clinic):
    now_day = today_in(clinic)
    answered = make_patient(clinic, treated_in_days=-40, email="a@example.test")
    silent = make_patient(clinic, treated_in_days=-40, email="b@example.test", first="Bo")
    not_followed = make_patient(clinic, treated_in_days=-5, email="c@example.test", first="Cy")
    for p in (answered, silent):
        actions.enrol(p, now=at(clinic, now_day - timedelta(days=75)))
    Invitation.objects.filter(follow_up__patient=answered, code="baseline").update(
        status="completed", completed_at=at(clinic, now_day - timedelta(days=45))
    )
    text = staff_client.get("/staff/outcomes/").content.decode()
    row = re.search(r'<th scope="row">Baseline</th>.*?</tr>', text, re.S).group(0)
    assert "50 %" in row and "(1/2)" in row  # the silent patient's closed window counts
    week_6 = re.search(r'<th scope="row">6 weeks</th>.*?</tr>', text, re.S).group(0)
    assert "no closed windows" in week_6
    assert "Open now (2)" in text  # both are in the 6-week window (days 28-56)
    assert not_followed.display_name in text
    assert "Treated or referred, not followed (1)" in text
    fusion = staff_client.get("/staff/outcomes/?arm=fusion").content.decode()
    assert "Nobody is enrolled yet." in fusion


def test_the_report_prints_the_same_charts_as_a_pdf(staff_client, patient):
    actions.enrol(patient)
    answer_baseline(patient, back=6, odi_sections=1)
    response = staff_client.get(f"/staff/patients/{patient.pk}/outcomes/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="outcomes.report.pdf").exists()


def test_the_patient_page_links_to_outcomes(staff_client, patient):
    text = staff_client.get(f"/staff/patients/{patient.pk}/").content.decode()
    assert f'href="/staff/patients/{patient.pk}/outcomes/"' in text


def test_staff_copy_a_fresh_survey_link_from_the_patient_record(staff_client, patient, settings):
    """#17 item 1: the record offers a fresh link, shown once, built from ANNULUS_SITE_URL."""
    settings.ANNULUS_SITE_URL = "http://127.0.0.1:8123"
    record_page = staff_client.get(f"/staff/patients/{patient.pk}/").content.decode()
    assert "Issue a fresh survey link" not in record_page  # not enrolled: nothing to copy
    actions.enrol(patient)
    baseline = Invitation.objects.get(follow_up__patient=patient, code="baseline")
    record_page = staff_client.get(f"/staff/patients/{patient.pk}/").content.decode()
    action = f"/staff/patients/{patient.pk}/outcomes/invitations/{baseline.pk}/reissue/"
    assert f'action="{action}"' in record_page
    shown = staff_client.post(action)
    assert shown.status_code == 200 and shown["Cache-Control"] == "no-store"
    url = re.search(r'id="survey-link">([^<]+)<', shown.content.decode()).group(1)
    assert url.startswith("http://127.0.0.1:8123/survey/")
    events = AuditEvent.objects.filter(action="outcomes.link.issue", patient_id=patient.pk)
    assert events.filter(details__purpose="reissue").count() == 1
    # Shown once: the page that listed it does not hold the token.
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert token not in staff_client.get(f"/staff/patients/{patient.pk}/").content.decode()
