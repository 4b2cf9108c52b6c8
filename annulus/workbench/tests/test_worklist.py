from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annulus.accounts.models import Role
from annulus.audit.context import AuditContext
from annulus.patients.models import Intake, IntakeStatus, Patient
from annulus.safety.actions import raise_alert
from annulus.testing import make_staff, sign_in

pytestmark = pytest.mark.django_db


def _submitted(clinic, n):
    for i in range(n):
        patient = Patient.objects.create(
            clinic=clinic, first_name=f"P{i}", last_name="Example", date_of_birth=date(1980, 1, 1)
        )
        Intake.objects.create(patient=patient, status=IntakeStatus.SUBMITTED)
        raise_alert(
            patient=patient,
            severity="urgent",
            source="intake",
            code="fever",
            source_ref=f"intake:{patient.pk}",
            ctx=AuditContext.system("test"),
        )


def _home(client, user):
    return sign_in(client, user).get("/staff/").content.decode()


def test_the_director_sees_alerts_first_then_every_worklist_section(client, clinic):
    _submitted(clinic, 2)
    page = _home(client, make_staff(clinic, Role.DIRECTOR))
    for title in (
        "Appointments today",
        "Decisions awaiting review or co-signature",
        "Intakes awaiting review (2)",
        "Surveys due, overdue and missed this week",
        "Patients lost to follow-up",
    ):
        assert title in page, title
    assert page.index("Open alerts") < page.index("Appointments today")
    assert "/staff/patients/" in page[page.index("Intakes awaiting review") :]


def test_each_role_sees_its_own_sections(client, clinic):
    _submitted(clinic, 1)
    coordinator = _home(client, make_staff(clinic, Role.COORDINATOR))
    assert "Open alerts" in coordinator and "Decisions awaiting review" not in coordinator
    clinician = _home(client, make_staff(clinic, Role.CLINICIAN))
    assert (
        "Decisions awaiting review" in clinician and "Patients lost to follow-up" not in clinician
    )
    admin = _home(client, make_staff(clinic, Role.ADMIN))
    assert "Open alerts" not in admin and "Intakes awaiting review" not in admin


def test_the_home_page_needs_the_same_queries_for_2_or_12_patients(client, clinic):
    director = make_staff(clinic, Role.DIRECTOR)
    _submitted(clinic, 2)
    sign_in(client, director)
    client.get("/staff/")
    with CaptureQueriesContext(connection) as few:
        client.get("/staff/")
    _submitted(clinic, 10)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/staff/").content.decode()
    assert "Intakes awaiting review (12)" in page
    assert len(many) == len(few)


def test_the_demo_directors_home_lists_real_work(demo_seeded_once, client):
    from annulus.accounts.models import User

    director = User.objects.get(email="director@demo.annulus.test")
    page = _home(client, director)
    assert page.index("Open alerts") < page.index("<h1>")
    assert "post_procedure_fever" in page and "saddle_anesthesia" in page
    assert "Patients lost to follow-up (" in page  # the demo has one
