"""The clinic's protocol setting: the director chooses it, evaluations use it, and a decision made
under an older version is marked "re-evaluate" on the patient page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from annulus.accounts.models import Clinic, Role
from annulus.audit.context import AuditContext
from annulus.candidacy import actions
from annulus.candidacy.clinic_protocol import clinic_protocol, set_clinic_protocol
from annulus.candidacy.engine import UnknownProtocolError
from annulus.candidacy.engine import protocol as protocol_module
from annulus.candidacy.tests.record_helpers import candidate_record
from annulus.testing import audit_actions, make_staff, sign_in

pytestmark = pytest.mark.django_db
URL = "/staff/candidacy/protocol/"


@pytest.fixture
def two_versions(monkeypatch, tmp_path: Path) -> Path:
    """Released protocols with a version 2 of the default (a copy of version 1)."""
    root = tmp_path / "protocols"
    shutil.copytree(protocol_module.PROTOCOLS_DIR, root)
    folder = root / "annulus-default"
    for extra in folder.glob("v[2-9]*.yaml"):
        extra.unlink()
    v1 = (folder / "v1.yaml").read_text()
    (folder / "v2.yaml").write_text(v1.replace("\nversion: 1\n", "\nversion: 2\n", 1))
    monkeypatch.setattr(protocol_module, "PROTOCOLS_DIR", root)
    return root


@pytest.fixture
def director(clinic):
    return make_staff(clinic, Role.DIRECTOR)


def test_the_director_chooses_the_clinics_protocol_and_it_is_audited(client, clinic, director):
    sign_in(client, director)
    page = client.get(URL).content.decode()
    assert "annulus-default@1" in page
    response = client.post(URL, {"protocol": "annulus-default@1"})
    assert response.status_code == 302
    clinic.refresh_from_db()
    assert clinic.candidacy_protocol == "annulus-default@1"
    assert "clinic.candidacy_protocol" in audit_actions(clinic=clinic)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Protocol the clinic uses: choose one."),
        ("annulus-default@99", "Protocol the clinic uses: annulus-default@99 is not a released"),
        ("nonsense", "Protocol the clinic uses: nonsense is not a released protocol."),
    ],
)
def test_a_wrong_or_missing_choice_is_refused_with_a_message(
    client, clinic, director, value, message
):
    sign_in(client, director)
    response = client.post(URL, {"protocol": value})
    assert response.status_code == 200
    assert message in response.content.decode()
    clinic.refresh_from_db()
    assert clinic.candidacy_protocol == ""


@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.COORDINATOR, Role.ADMIN])
def test_only_the_director_may_change_it(client, clinic, role):
    sign_in(client, make_staff(clinic, role))
    page = client.get(URL)
    assert page.status_code == 200
    assert "Only the clinical director can change it." in page.content.decode()
    assert client.post(URL, {"protocol": "annulus-default@1"}).status_code == 403
    clinic.refresh_from_db()
    assert clinic.candidacy_protocol == ""


def test_the_action_refuses_an_unreleased_protocol(clinic):
    with pytest.raises(UnknownProtocolError):
        set_clinic_protocol(clinic, "annulus-default@7", actor=None, ctx=AuditContext.system("t"))


def test_evaluations_use_the_clinics_protocol_and_older_decisions_are_marked(
    two_versions, staff_client, clinic, director
):
    patient = candidate_record(clinic)
    assert clinic_protocol(clinic).version == 2  # no setting: the newest default
    set_clinic_protocol(clinic, "annulus-default@1", actor=director, ctx=AuditContext.system("t"))
    evaluation = actions.record_evaluation(patient)
    assert (evaluation.protocol_id, evaluation.protocol_version) == ("annulus-default", 1)
    page = staff_client.get(f"/staff/patients/{patient.pk}/").content.decode()
    assert "Re-evaluate under" not in page  # made under the clinic's own version
    candidacy = staff_client.get(f"/staff/patients/{patient.pk}/candidacy/").content.decode()
    assert 'value="annulus-default@1" selected' in candidacy

    set_clinic_protocol(clinic, "annulus-default@2", actor=director, ctx=AuditContext.system("t"))
    page = staff_client.get(f"/staff/patients/{patient.pk}/").content.decode()
    assert "made under annulus-default v1" in page
    assert "Re-evaluate under v2" in page
    again = actions.record_evaluation(patient)
    assert again.protocol_version == 2
    page = staff_client.get(f"/staff/patients/{patient.pk}/").content.decode()
    assert "Re-evaluate under" not in page


def test_a_setting_no_longer_released_falls_back_to_the_newest_default(clinic):
    Clinic.objects.filter(pk=clinic.pk).update(candidacy_protocol="annulus-default@42")
    clinic.refresh_from_db()
    assert clinic_protocol(clinic).id == "annulus-default"
