"""What the front desk looks for: next appointments, phone and email on the record and the list;
search by date of birth and VA referral number; a bad filter is an error, not everyone."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annulus.patients.models import CommunityCareAuthorization, Patient
from annulus.scheduling import actions
from annulus.scheduling.tests.factories import as_staff, at, make_schedule, next_weekday

pytestmark = pytest.mark.django_db


def make_patient(clinic, **fields):
    values = {"first_name": "Robin", "last_name": "Example", "date_of_birth": date(1980, 5, 4)}
    values.update(fields)
    return Patient.objects.create(clinic=clinic, **values)


def book(schedule, patient, day, hour, user, resource="dr-ames"):
    return actions.staff_create(
        service=schedule.consultation, patient=patient, start=at(day, hour),
        resource=resource, **as_staff(user),
    )  # fmt: skip


def test_the_record_shows_next_appointments_phone_email_and_clinician(
    staff_client, clinic, clinician
):
    schedule = make_schedule(clinic)
    patient = make_patient(clinic, phone="+1 555 0199", email="robin@example.org")
    monday = next_weekday(0)
    book(schedule, patient, monday, 10, clinician)
    book(schedule, patient, monday, 14, clinician, resource="dr-baker")
    html = staff_client.get(f"/staff/patients/{patient.pk}/").content.decode()
    assert "+1 555 0199" in html and "robin@example.org" in html
    assert "Next appointments" in html
    assert "10:00 AM C" in html and "with Dr Ames" in html  # clinic time with its zone
    assert "2:00 PM C" in html and "with Dr Baker" in html
    assert "Not assigned" not in html  # the first booking assigned Dr Ames
    shown = html.split("<dt>Clinician</dt>")[1].split("</dd>")[0]
    assert str(schedule.ames.user) in shown


def test_the_list_shows_phone_and_next_appointment_in_constant_queries(
    staff_client, clinic, clinician
):
    schedule = make_schedule(clinic)
    monday = next_weekday(0)

    def count() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as ctx:
            page = staff_client.get("/staff/patients/")
        assert page.status_code == 200
        return len(ctx.captured_queries), page.content.decode()

    first = make_patient(clinic, last_name="Aaron", phone="+1 555 0100")
    book(schedule, first, monday, 9, clinician)
    with_one, html = count()
    assert "+1 555 0100" in html and "9:00 AM C" in html
    for n in range(6):
        patient = make_patient(clinic, last_name=f"P{n}", phone=f"+1 555 02{n:02d}")
        book(schedule, patient, monday, 10 + n if n < 2 else 13 + n - 2, clinician)
    assert count()[0] == with_one


def test_a_later_page_lists_its_patients_in_name_order_with_their_appointments(
    staff_client, clinic, clinician
):
    """The page is chosen over ids, then its rows are loaded: same order, same next visit."""
    schedule = make_schedule(clinic)
    monday = next_weekday(0)
    for n in reversed(range(27)):  # created out of name order
        make_patient(clinic, last_name=f"Name{n:02d}", phone=f"+1 555 03{n:02d}")
    last = Patient.objects.get(last_name="Name26")
    book(schedule, last, monday, 9, clinician)
    html = staff_client.get("/staff/patients/", {"page": 2}).content.decode()
    assert "+1 555 0325" in html and "+1 555 0326" in html and "+1 555 0324" not in html
    assert html.index("+1 555 0325") < html.index("+1 555 0326")
    assert "9:00 AM C" in html


@pytest.mark.parametrize("typed", ["1975-04-23", "04/23/1975", "4/23/1975"])
def test_search_by_date_of_birth_in_the_formats_the_pages_show(staff_client, clinic, typed):
    make_patient(clinic, last_name="Born", date_of_birth=date(1975, 4, 23))
    make_patient(clinic, last_name="Other", date_of_birth=date(1975, 4, 24))
    page = staff_client.get("/staff/patients/", {"q": typed})
    assert page.status_code == 200
    names = [p.last_name for p in page.context["page"]]
    assert names == ["Born"]


def test_search_by_va_referral_number(staff_client, clinic):
    veteran = make_patient(clinic, last_name="Veteran", veteran=True)
    make_patient(clinic, last_name="Civilian")
    CommunityCareAuthorization.objects.create(
        patient=veteran, referral_number="VA0012345", seoc="Pain", authorized_services="Consult",
        visits_authorized=4, valid_from=date(2026, 1, 1), valid_to=date(2027, 1, 1),
    )  # fmt: skip
    page = staff_client.get("/staff/patients/", {"q": "va0012345"})
    assert [p.last_name for p in page.context["page"]] == ["Veteran"]


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"stage": "nonsense"}, "Stage: “nonsense” is not a stage"),
        ({"clinician": "999999"}, "Clinician: “999999” is not a clinician"),
        ({"q": "13/45/1975"}, "Search: “13/45/1975” is not a date"),
    ],
)
def test_an_invalid_filter_is_an_error_not_everyone(staff_client, clinic, params, words):
    make_patient(clinic, last_name="Visible")
    page = staff_client.get("/staff/patients/", params)
    assert page.status_code == 400
    html = page.content.decode()
    assert words in html
    assert "Visible" not in html
