"""The demo seed: runs twice without duplicating, and uses only valid NPIs."""

from __future__ import annotations

import pytest

from annulus.frontoffice.demo import seed_demo_referrals
from annulus.frontoffice.models import Coverage, PriceItem, Referral, ReferringDoctor
from annulus.frontoffice.npi import npi_problem
from annulus.patients.models import Patient

pytestmark = pytest.mark.django_db


def test_the_seed_is_idempotent_and_consistent(clinic):
    for n in range(3):
        Patient.objects.create(clinic=clinic, first_name=f"Demo{n}", last_name="Person")
    first = seed_demo_referrals(clinic)
    seed_demo_referrals(clinic)

    assert PriceItem.objects.count() == first["prices"] == 7
    assert ReferringDoctor.objects.count() == 2
    assert all(npi_problem(d.npi) == "" for d in ReferringDoctor.objects.all())
    assert Referral.objects.count() == 1
    assert Referral.objects.get().lead.heard_about == "doctor"
    assert Coverage.objects.count() == 3
