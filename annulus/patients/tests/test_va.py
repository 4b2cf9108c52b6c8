from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annulus.accounts.models import Role
from annulus.audit.models import AuditEvent
from annulus.lib.clock import clinic_today
from annulus.patients.models import (
    AuthorizedVisit,
    ChangeRecord,
    CommunityCareAuthorization,
    Patient,
    Stage,
)
from annulus.patients.va import (
    authorization_status,
    authorization_warnings,
    claim_deadline,
    claim_warning,
    va_warnings,
    visit_refusal,
)
from annulus.testing import make_clinic, make_staff, sign_in

TODAY = date(2026, 11, 25)


# the arithmetic, without a database


def test_it_puts_the_claim_deadline_180_days_after_the_visit():
    assert claim_deadline(date(2026, 1, 1)) == date(2026, 6, 30)
    assert claim_deadline(date(2024, 2, 29)) == date(2024, 8, 27)


def claim(visit_date, submitted=None, tpa="TriWest"):
    return claim_warning(
        patient_id=1,
        patient_name="Example, Robin",
        referral_number="VA-1",
        visit_date=visit_date,
        claim_submitted_on=submitted,
        third_party_administrator=tpa,
        today=TODAY,
    )


def test_it_warns_about_an_unsent_claim_from_30_days_before_the_deadline():
    assert claim(TODAY - timedelta(days=149)) is None  # deadline in 31 days
    at_30 = claim(TODAY - timedelta(days=150))
    assert at_30 is not None
    assert at_30.due == TODAY + timedelta(days=30)
    assert "is due in 30 days (25 Dec 2026)" in at_30.message
    assert "File it to TriWest" in at_30.message
    assert not at_30.urgent
    assert claim(TODAY - timedelta(days=173)).urgent  # a week left


def test_the_180th_day_is_due_today_and_the_181st_is_overdue():
    on_the_day = claim(TODAY - timedelta(days=180))
    assert on_the_day.due == TODAY
    assert "is due today (25 Nov 2026)" in on_the_day.message
    late = claim(TODAY - timedelta(days=181))
    assert "was due 24 Nov 2026, 1 day ago" in late.message
    assert late.urgent
    assert "3 days ago" in claim(TODAY - timedelta(days=183)).message


def test_a_sent_claim_never_warns():
    assert claim(TODAY - timedelta(days=200), submitted=TODAY - timedelta(days=30)) is None
    assert "File it and mark" in claim(TODAY - timedelta(days=170), tpa="").message


def auth_warnings(valid_to, authorized=6, used=0):
    return authorization_warnings(
        patient_id=1,
        patient_name="Example, Robin",
        referral_number="VA-1",
        valid_to=valid_to,
        visits_authorized=authorized,
        visits_used=used,
        today=TODAY,
    )


def test_it_warns_when_an_authorization_ends_within_30_days():
    assert auth_warnings(TODAY + timedelta(days=31)) == []
    at_30 = auth_warnings(TODAY + timedelta(days=30))
    assert [w.kind for w in at_30] == ["expiry"]
    assert "ends in 30 days (25 Dec 2026)" in at_30[0].message
    assert not at_30[0].urgent
    assert "ends today" in auth_warnings(TODAY)[0].message
    assert "ends in 1 day " in auth_warnings(TODAY + timedelta(days=1))[0].message
    assert auth_warnings(TODAY - timedelta(days=1), used=6) == []  # over: only claims warn now


def test_it_warns_when_one_visit_or_none_is_left():
    later = TODAY + timedelta(days=90)
    assert auth_warnings(later, authorized=6, used=4) == []
    one = auth_warnings(later, authorized=6, used=5)
    assert [w.kind for w in one] == ["visits"]
    assert "1 of 6 visits left" in one[0].message
    assert not one[0].urgent
    none = auth_warnings(later, authorized=6, used=6)
    assert "all 6 visits used" in none[0].message
    assert none[0].urgent
    assert {w.kind for w in auth_warnings(TODAY, authorized=1)} == {"expiry", "visits"}


def test_a_visit_counts_only_inside_the_dates_and_the_visit_count():
    window = {"valid_from": date(2026, 6, 1), "valid_to": date(2026, 11, 30)}
    assert visit_refusal(date(2026, 6, 1), **window, visits_authorized=2, visits_used=0) is None
    assert visit_refusal(date(2026, 11, 30), **window, visits_authorized=2, visits_used=1) is None
    field, message = visit_refusal(date(2026, 5, 31), **window, visits_authorized=2, visits_used=0)
    assert field == "visit_date"
    assert "31 May 2026 is outside the authorization" in message
    assert visit_refusal(date(2026, 12, 1), **window, visits_authorized=2, visits_used=0)
    field, message = visit_refusal(date(2026, 7, 1), **window, visits_authorized=2, visits_used=2)
    assert field is None
    assert "All 2 authorized visits are already recorded" in message


def test_it_computes_visits_left_expiry_and_each_claim_deadline():
    auth = CommunityCareAuthorization(visits_authorized=3, valid_to=TODAY + timedelta(days=10))
    visits = [
        AuthorizedVisit(visit_date=TODAY - timedelta(days=181)),
        AuthorizedVisit(visit_date=TODAY - timedelta(days=20), claim_submitted_on=TODAY),
    ]
    status = authorization_status(auth, visits, TODAY)
    assert (status.visits_used, status.visits_remaining, status.days_to_expiry) == (2, 1, 10)
    assert status.usable and not status.expired
    late, sent = status.visits
    assert late.claim_deadline == TODAY - timedelta(days=1)
    assert late.overdue and late.days_overdue == 1
    assert not sent.overdue and not sent.due_soon
    over = authorization_status(auth, [*visits, *visits], TODAY)
    assert over.visits_remaining == 0 and not over.usable


# the pages


@pytest.fixture
def veteran(clinic):
    return Patient.objects.create(
        clinic=clinic, first_name="Alex", last_name="Veteran", veteran=True, stage=Stage.WORK_UP
    )


def make_auth(patient, number="VA0001", visits=6, valid_from=None, valid_to=None, **extra):
    valid_to = valid_to or clinic_today(patient.clinic) + timedelta(days=120)
    return CommunityCareAuthorization.objects.create(
        patient=patient,
        referral_number=number,
        seoc="Pain management (test SEOC)",
        authorized_services="Consultation; discography; intra-annular injection",
        visits_authorized=visits,
        valid_from=valid_from or valid_to - timedelta(days=320),
        valid_to=valid_to,
        region="Region 4",
        third_party_administrator="TriWest",
        **extra,
    )


def va_url(patient, tail=""):
    return f"/staff/patients/{patient.pk}/va/{tail}"


def auth_data(**changes):
    data = {
        "referral_number": "VA0012345",
        "seoc": "Pain management (test SEOC)",
        "authorized_services": "99204 consultation; 62290 discography",
        "visits_authorized": "4",
        "valid_from": "2026-06-01",
        "valid_to": "2026-12-31",
        "region": "Region 4",
        "third_party_administrator": "TriWest",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_it_records_an_authorization_with_history(staff_client, veteran):
    response = staff_client.post(va_url(veteran, "authorizations/new/"), auth_data())
    assert response.status_code == 302
    assert response.url == va_url(veteran)
    auth = CommunityCareAuthorization.objects.get(patient=veteran)
    assert (auth.visits_authorized, auth.valid_to) == (4, date(2026, 12, 31))
    change = ChangeRecord.objects.get(patient=veteran, record_type="CommunityCareAuthorization")
    assert change.changes["referral_number"] == [None, "VA0012345"]
    assert AuditEvent.objects.filter(action="va_authorization.create").exists()
    # an extension edits it, and the history keeps before and after
    edit = va_url(veteran, f"authorizations/{auth.pk}/")
    assert staff_client.post(edit, auth_data(visits_authorized="8")).status_code == 302
    latest = ChangeRecord.objects.filter(record_type="CommunityCareAuthorization").first()
    assert latest.action == "update"
    assert latest.changes == {"visits_authorized": [4, 8]}
    assert AuditEvent.objects.filter(action="va_authorization.update").exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"valid_to": "2026-05-31"}, "Valid to: cannot be before valid from (1 Jun 2026)."),
        ({"visits_authorized": "0"}, "Visits authorized: at least 1."),
        ({"visits_authorized": "two"}, "Visits authorized: enter a whole number."),
        ({"visits_authorized": ""}, "Visits authorized: enter the number of visits."),
        ({"referral_number": ""}, "Referral number: enter it as shown in HSRM."),
        ({"seoc": ""}, "SEOC: enter the episode of care named on the authorization."),
        ({"authorized_services": ""}, "Authorized services: list what is authorized."),
        ({"valid_from": ""}, "Valid from: enter the date."),
        ({"valid_to": "2026-13-01"}, "Valid to: enter a real date"),
        ({"region": "Region 9"}, "Select a valid choice"),
    ],
)
@pytest.mark.django_db
def test_it_refuses_a_bad_authorization_and_names_the_field(
    staff_client, veteran, changes, message
):
    response = staff_client.post(va_url(veteran, "authorizations/new/"), auth_data(**changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CommunityCareAuthorization.objects.exists()


@pytest.mark.django_db
def test_sending_the_same_authorization_twice_records_it_once(staff_client, veteran):
    url = va_url(veteran, "authorizations/new/")
    assert staff_client.post(url, auth_data()).status_code == 302
    again = staff_client.post(url, auth_data())
    assert again.status_code == 200
    assert b"Referral number: already recorded for this patient." in again.content
    assert CommunityCareAuthorization.objects.count() == 1


@pytest.mark.django_db
def test_an_edit_cannot_leave_counted_visits_outside_the_authorization(staff_client, veteran):
    auth = make_auth(veteran, valid_from=date(2026, 6, 1), valid_to=date(2026, 12, 31))
    AuthorizedVisit.objects.create(authorization=auth, visit_date=date(2026, 6, 5), description="a")
    AuthorizedVisit.objects.create(authorization=auth, visit_date=date(2026, 7, 5), description="b")
    response = staff_client.post(
        va_url(veteran, f"authorizations/{auth.pk}/"),
        auth_data(
            referral_number=auth.referral_number,
            visits_authorized="1",
            valid_from="2026-06-10",
            valid_to="2026-07-01",
        ),
    ).content.decode()
    assert "Visits authorized: 2 visits are already recorded against this authorization." in (
        response
    )
    assert "Valid from: a visit on 5 Jun 2026 is already recorded." in response
    assert "Valid to: a visit on 5 Jul 2026 is already recorded." in response
    auth.refresh_from_db()
    assert auth.visits_authorized == 6


@pytest.mark.django_db
def test_it_counts_visits_and_refuses_one_outside_the_dates_or_over_the_count(
    staff_client, veteran
):
    auth = make_auth(veteran, visits=2, valid_from=date(2026, 6, 1), valid_to=date(2026, 11, 1))
    url = va_url(veteran, f"authorizations/{auth.pk}/visits/new/")
    first = staff_client.post(url, {"visit_date": "2026-06-01", "description": "Consultation"})
    assert first.status_code == 302
    follow = staff_client.get(va_url(veteran)).content.decode()
    assert "Visit of 1 Jun 2026 counted. File its claim by 28 Nov 2026." in follow
    outside = staff_client.post(url, {"visit_date": "2026-11-02", "description": "Follow-up"})
    assert outside.status_code == 200
    assert "Visit date: 2 Nov 2026 is outside the authorization" in outside.content.decode()
    assert "valid from 1 Jun 2026 to 1 Nov 2026" in outside.content.decode()
    last_day = staff_client.post(url, {"visit_date": "2026-11-01", "description": "Injection"})
    assert last_day.status_code == 302
    over = staff_client.post(url, {"visit_date": "2026-10-01", "description": "Extra"})
    assert over.status_code == 200
    assert "All 2 authorized visits are already recorded." in over.content.decode()
    assert AuthorizedVisit.objects.filter(authorization=auth).count() == 2
    change = ChangeRecord.objects.filter(record_type="AuthorizedVisit").first()
    assert change.changes["visit_date"] == [None, "2026-11-01"]
    assert AuditEvent.objects.filter(action="va_visit.record", patient_id=veteran.pk).count() == 2


@pytest.mark.django_db
def test_it_refuses_a_visit_without_a_date_a_description_or_in_the_future(staff_client, veteran):
    today = clinic_today(veteran.clinic)
    auth = make_auth(veteran, valid_to=today + timedelta(days=60))
    url = va_url(veteran, f"authorizations/{auth.pk}/visits/new/")
    empty = staff_client.post(url, {"visit_date": "", "description": " "}).content.decode()
    assert "Visit date: enter the date." in empty
    assert "Description: say what the visit was." in empty
    future = (today + timedelta(days=3)).isoformat()
    ahead = staff_client.post(url, {"visit_date": future, "description": "x"}).content.decode()
    assert "The visit date cannot be in the future." in ahead
    assert not AuthorizedVisit.objects.exists()


@pytest.mark.django_db
def test_sending_the_same_visit_twice_counts_it_once(staff_client, veteran):
    auth = make_auth(veteran)
    url = va_url(veteran, f"authorizations/{auth.pk}/visits/new/")
    data = {"visit_date": "2026-07-01", "description": "Consultation"}
    assert staff_client.post(url, data).status_code == 302
    again = staff_client.post(url, data)
    assert again.status_code == 200
    assert b"Description: a visit on 1 Jul 2026 with this description is already" in again.content
    assert AuthorizedVisit.objects.count() == 1


@pytest.mark.django_db
def test_the_last_visit_cannot_be_taken_twice_at_once(staff_client, veteran, monkeypatch):
    """Two requests that both passed the form's count: the locked recount refuses the second."""
    auth = make_auth(veteran, visits=1)
    url = va_url(veteran, f"authorizations/{auth.pk}/visits/new/")
    first = staff_client.post(url, {"visit_date": "2026-07-01", "description": "a"})
    assert first.status_code == 302
    from annulus.patients import va_forms

    real_init = va_forms.VisitForm.__init__

    def stale_count(self, *args, **kwargs):
        kwargs["visits_used"] = 0  # what the second request saw before the first committed
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(va_forms.VisitForm, "__init__", stale_count)
    late = staff_client.post(url, {"visit_date": "2026-07-02", "description": "b"})
    assert late.status_code == 200
    assert b"All 1 authorized visits are already recorded." in late.content
    assert AuthorizedVisit.objects.count() == 1


@pytest.mark.django_db
def test_it_marks_a_claim_submitted_and_refuses_impossible_dates(staff_client, veteran):
    auth = make_auth(veteran)
    visit = AuthorizedVisit.objects.create(
        authorization=auth, visit_date=date(2026, 7, 1), description="Consultation"
    )
    url = va_url(veteran, f"visits/{visit.pk}/claim/")
    early = staff_client.post(url, {"claim_submitted_on": "2026-06-30"}).content.decode()
    assert "Claim submitted on: cannot be before the visit (1 Jul 2026)." in early
    future = (clinic_today(veteran.clinic) + timedelta(days=5)).isoformat()
    ahead = staff_client.post(url, {"claim_submitted_on": future}).content.decode()
    assert "The claim date cannot be in the future." in ahead
    missing = staff_client.post(url, {"claim_submitted_on": ""}).content.decode()
    assert "Claim submitted on: enter the date." in missing
    assert staff_client.post(url, {"claim_submitted_on": "2026-07-20"}).status_code == 302
    assert staff_client.post(url, {"claim_submitted_on": "2026-07-20"}).status_code == 302
    visit.refresh_from_db()
    assert visit.claim_submitted_on == date(2026, 7, 20)
    changes = ChangeRecord.objects.filter(record_type="AuthorizedVisit", record_id=str(visit.pk))
    assert [c.changes for c in changes] == [{"claim_submitted_on": [None, "2026-07-20"]}]
    assert AuditEvent.objects.filter(action="va_claim.submitted").count() == 2


@pytest.mark.django_db
def test_the_va_page_shows_visits_left_expiry_and_claim_deadlines(staff_client, veteran):
    today = clinic_today(veteran.clinic)
    auth = make_auth(veteran, visits=3, valid_to=today + timedelta(days=12))
    AuthorizedVisit.objects.create(
        authorization=auth, visit_date=today - timedelta(days=175), description="Consultation"
    )
    AuthorizedVisit.objects.create(
        authorization=auth,
        visit_date=today - timedelta(days=20),
        description="Discography",
        claim_submitted_on=today,
    )
    page = staff_client.get(va_url(veteran)).content.decode()
    assert "Referral VA0001" in page
    assert "2 of 3</strong> used · 1 left" in page
    assert "12 days left" in page
    assert "(5 days left)" in page  # the consultation's claim
    assert f"Claim sent {today.day} {today:%b %Y}" in page
    assert "Needs attention" in page
    assert "1 of 3 visits left" in page
    assert "ends in 12 days" in page
    assert "Count a visit" in page
    assert AuditEvent.objects.filter(action="patient.read", patient_id=veteran.pk).exists()


@pytest.mark.django_db
def test_the_va_page_uses_a_constant_number_of_queries(staff_client, veteran):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert staff_client.get(va_url(veteran)).status_code == 200
        return len(ctx.captured_queries)

    first = make_auth(veteran, number="VA-A")
    AuthorizedVisit.objects.create(
        authorization=first, visit_date=date(2026, 7, 1), description="x"
    )
    with_one = count_queries()
    for n in range(6):
        auth = make_auth(veteran, number=f"VA-{n}")
        for day in range(3):
            AuthorizedVisit.objects.create(
                authorization=auth, visit_date=date(2026, 7, 2 + day), description="x"
            )
    assert count_queries() == with_one


@pytest.mark.parametrize(
    "tail",
    [
        "",
        "authorizations/new/",
        "authorizations/{auth}/",
        "authorizations/{auth}/visits/new/",
        "visits/{visit}/claim/",
    ],
)
@pytest.mark.django_db
def test_another_clinics_patient_is_a_404_and_an_audit_event(client, veteran, outsider, tail):
    auth = make_auth(veteran)
    visit = AuthorizedVisit.objects.create(
        authorization=auth, visit_date=date(2026, 7, 1), description="x"
    )
    sign_in(client, outsider)
    url = va_url(veteran, tail.format(auth=auth.pk, visit=visit.pk))
    assert client.get(url).status_code == 404
    if tail:
        assert client.post(url, {"claim_submitted_on": "2026-07-02"}).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", patient_id=veteran.pk).exists()
    visit.refresh_from_db()
    assert visit.claim_submitted_on is None


@pytest.mark.django_db
def test_another_patients_authorization_or_visit_is_a_404_and_an_audit_event(
    staff_client, clinic, veteran
):
    other = Patient.objects.create(clinic=clinic, first_name="Sam", last_name="Other", veteran=True)
    theirs = make_auth(other)
    visit = AuthorizedVisit.objects.create(
        authorization=theirs, visit_date=date(2026, 7, 1), description="x"
    )
    for tail in (
        f"authorizations/{theirs.pk}/",
        f"authorizations/{theirs.pk}/visits/new/",
        f"visits/{visit.pk}/claim/",
    ):
        assert staff_client.get(va_url(veteran, tail)).status_code == 404
    kinds = AuditEvent.objects.filter(action="access.denied").values_list("details", flat=True)
    assert sorted(d["kind"] for d in kinds) == ["va_authorization", "va_authorization", "va_visit"]
    assert staff_client.get(va_url(veteran, "authorizations/999999/")).status_code == 404


@pytest.mark.django_db
def test_an_admin_can_read_but_not_record_va_care(client, clinic, veteran):
    sign_in(client, make_staff(clinic, Role.ADMIN))
    assert client.get(va_url(veteran)).status_code == 200
    assert client.post(va_url(veteran, "authorizations/new/"), auth_data()).status_code == 403
    assert not CommunityCareAuthorization.objects.exists()


# the coordinator's warnings


@pytest.mark.django_db
def test_va_warnings_finds_each_kind_for_one_clinic_at_the_boundaries(clinic, veteran):
    today = TODAY
    soon = make_auth(veteran, number="ENDS-30", valid_to=today + timedelta(days=30))
    make_auth(veteran, number="ENDS-31", valid_to=today + timedelta(days=31))
    make_auth(veteran, number="ENDED", valid_to=today - timedelta(days=1), visits=1)
    low = make_auth(veteran, number="LOW", visits=3, valid_to=today + timedelta(days=90))
    for n in range(2):
        AuthorizedVisit.objects.create(
            authorization=low, visit_date=today - timedelta(days=10 + n), description=f"v{n}"
        )
    # claims: deadline in exactly 30 days, in 31 days, overdue, overdue but sent
    AuthorizedVisit.objects.create(
        authorization=soon, visit_date=today - timedelta(days=150), description="due-30"
    )
    AuthorizedVisit.objects.create(
        authorization=soon, visit_date=today - timedelta(days=149), description="due-31"
    )
    AuthorizedVisit.objects.create(
        authorization=soon, visit_date=today - timedelta(days=181), description="late"
    )
    AuthorizedVisit.objects.create(
        authorization=soon,
        visit_date=today - timedelta(days=190),
        description="sent",
        claim_submitted_on=today - timedelta(days=100),
    )
    elsewhere = Patient.objects.create(
        clinic=make_clinic("Elsewhere Spine (test)"), first_name="N", last_name="Other"
    )
    make_auth(elsewhere, number="THEIRS", valid_to=today + timedelta(days=3))

    warnings = va_warnings(clinic, today)
    found = [(w.kind, w.referral_number, w.due) for w in warnings]
    assert found == [
        ("claim", "ENDS-30", today - timedelta(days=1)),
        ("claim", "ENDS-30", today + timedelta(days=30)),
        ("expiry", "ENDS-30", today + timedelta(days=30)),
        ("visits", "LOW", today + timedelta(days=90)),
    ]
    assert all(w.url == f"/staff/patients/{veteran.pk}/va/" for w in warnings)
    assert warnings[0].patient_name == "Veteran, Alex"


@pytest.mark.django_db
def test_a_closed_patient_still_warns_about_claims_but_not_expiry(clinic, veteran):
    auth = make_auth(veteran, visits=1, valid_to=TODAY + timedelta(days=5))
    AuthorizedVisit.objects.create(
        authorization=auth, visit_date=TODAY - timedelta(days=170), description="x"
    )
    assert {w.kind for w in va_warnings(clinic, TODAY)} == {"claim", "expiry", "visits"}
    veteran.stage = Stage.CLOSED
    veteran.save()
    assert [w.kind for w in va_warnings(clinic, TODAY)] == ["claim"]


@pytest.mark.django_db
def test_the_home_page_lists_va_warnings_with_links(staff_client, clinic, veteran, outsider):
    today = clinic_today(clinic)
    auth = make_auth(veteran, number="VA-SOON", valid_to=today + timedelta(days=9))
    AuthorizedVisit.objects.create(
        authorization=auth, visit_date=today - timedelta(days=185), description="x"
    )
    elsewhere = Patient.objects.create(
        clinic=outsider.memberships.get().clinic, first_name="N", last_name="Hidden"
    )
    make_auth(elsewhere, number="VA-HIDDEN", valid_to=today + timedelta(days=3))
    page = staff_client.get("/staff/").content.decode()
    assert "VA Community Care: needs attention" in page
    assert f'href="/staff/patients/{veteran.pk}/va/"' in page
    assert "Authorization VA-SOON ends in 9 days" in page
    assert "5 days ago" in page
    assert "VA-HIDDEN" not in page
    assert "Good to see you" in page  # the page's own content stays
    assert AuditEvent.objects.filter(action="va.warnings.read").exists()


@pytest.mark.django_db
def test_the_home_page_has_no_va_section_when_nothing_is_due(staff_client, veteran):
    make_auth(veteran)
    page = staff_client.get("/staff/").content.decode()
    assert "needs attention" not in page


@pytest.mark.django_db
def test_the_home_page_warnings_use_a_constant_number_of_queries(staff_client, clinic):
    today = clinic_today(clinic)

    def add_patient(n: int) -> None:
        patient = Patient.objects.create(clinic=clinic, first_name="P", last_name=f"V{n}")
        auth = make_auth(patient, number=f"VA-{n}", visits=2, valid_to=today + timedelta(days=5))
        AuthorizedVisit.objects.create(
            authorization=auth, visit_date=today - timedelta(days=170), description="x"
        )

    def count_queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            page = staff_client.get("/staff/").content.decode()
        return len(ctx.captured_queries), page.count('class="va-warning ')

    add_patient(0)
    with_one, shown = count_queries()
    assert shown == 3  # expiry, one visit left, claim
    for n in range(1, 10):
        add_patient(n)
    with_ten, shown = count_queries()
    assert shown == 30
    assert with_ten == with_one
