"""Override rates per criterion: how often clinicians disagree with each rule."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from annulus.accounts.models import Role
from annulus.candidacy import actions
from annulus.candidacy.engine import resolve_protocol
from annulus.candidacy.rates import override_rates
from annulus.candidacy.tests.record_helpers import candidate_record
from annulus.testing import audit_actions, make_staff, sign_in

pytestmark = pytest.mark.django_db
URL = "/staff/candidacy/overrides/"


def evaluated(clinic, clinician, protocol="annulus-default@1", **record):
    patient = candidate_record(clinic, **record)
    return actions.record_evaluation(patient, protocol=resolve_protocol(protocol), user=clinician)


def overridden(evaluation, clinician, *criteria, outcome="not_candidate"):
    return actions.override_evaluation(
        evaluation,
        user=clinician,
        reason="clinical_judgement",
        outcome=outcome,
        criteria=criteria,
    )


def test_it_counts_evaluated_reviewed_and_overridden_per_criterion(clinic, clinician):
    overridden(evaluated(clinic, clinician), clinician, "D-CONTROL", "P-DISABILITY")
    overridden(evaluated(clinic, clinician), clinician, "D-CONTROL")
    actions.accept_evaluation(evaluated(clinic, clinician), user=clinician)
    evaluated(clinic, clinician)  # still pending: evaluated, not reviewed

    rates, totals = override_rates(clinic)

    by_id = {rate.id: rate for rate in rates}
    control = by_id["D-CONTROL"]
    assert (control.evaluated, control.reviewed, control.overrides) == (4, 3, 2)
    assert control.rate == pytest.approx(2 / 3)
    assert by_id["P-DISABILITY"].overrides == 1
    assert by_id["P-AGE"].overrides == 0 and by_id["P-AGE"].rate == 0
    assert (totals.evaluations, totals.reviewed, totals.overridden) == (4, 3, 2)
    assert rates[0].id == "D-CONTROL"  # the most disputed first


def test_criteria_not_judged_are_not_counted(clinic, clinician):
    evaluated(clinic, clinician, discography=False)  # no positive level: level criteria n/a

    rates, _ = override_rates(clinic)

    ids = {rate.id for rate in rates}
    assert "D-DISCOGRAPHY" in ids
    assert not any(cid.startswith("L-") for cid in ids)


def test_the_page_lists_rates_and_filters_by_protocol(staff_client, clinic, clinician):
    overridden(evaluated(clinic, clinician), clinician, "P-DURATION")
    overridden(
        evaluated(clinic, clinician, protocol="nct01011816-phase3"),
        clinician,
        "P-PAIN",
        outcome="candidate",
    )

    everything = staff_client.get(URL).content.decode()
    default_only = staff_client.get(URL, {"protocol": "annulus-default@1"}).content.decode()
    by_id = staff_client.get(URL, {"protocol": "nct01011816-phase3"}).content.decode()

    assert "P-DURATION" in everything and "P-PAIN" in everything
    assert "Back pain duration" in everything
    assert "100 %" in default_only
    assert '<td class="num">0 %</td>' in default_only  # P-PAIN was not disputed there
    assert "Prior procedures" in everything  # annulus-default's title where ids are shared
    assert "<strong>1</strong> overridden" in by_id and "<strong>2</strong>" not in by_id
    assert "candidacy.override_rates" in audit_actions()


def test_an_unknown_protocol_filter_names_the_field(staff_client):
    page = staff_client.get(URL, {"protocol": "nope@3"}).content.decode()

    assert "Protocol: nope@3 is not a released protocol." in page


def test_it_counts_only_this_clinics_evaluations(staff_client, clinic, clinician, outsider):
    other_clinic = outsider.memberships.get().clinic
    overridden(evaluated(other_clinic, outsider), outsider, "P-AGE")

    page = staff_client.get(URL).content.decode()

    assert "No evaluations yet" in page


def test_it_is_for_clinicians_and_the_director(clinic):
    coordinator = sign_in(Client(), make_staff(clinic, Role.COORDINATOR))
    director = sign_in(Client(), make_staff(clinic, Role.DIRECTOR))

    assert coordinator.get(URL).status_code == 403
    assert director.get(URL).status_code == 200


def test_the_page_needs_the_same_queries_for_one_evaluation_or_many(
    staff_client, clinic, clinician
):
    overridden(evaluated(clinic, clinician), clinician, "P-AGE")
    staff_client.get(URL)  # warm the protocol cache and the session
    with CaptureQueriesContext(connection) as one:
        assert staff_client.get(URL).status_code == 200

    for i in range(6):
        ev = evaluated(clinic, clinician, discography=i % 2 == 0)
        if i % 3 == 0:
            overridden(ev, clinician, "D-DISCOGRAPHY")
    with CaptureQueriesContext(connection) as many:
        page = staff_client.get(URL).content.decode()

    assert "<strong>7</strong> evaluations" in page
    assert len(many) == len(one)
