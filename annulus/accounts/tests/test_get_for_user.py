"""`get_for_user`: one lookup for every protected object, 404 and an audited denial."""

from __future__ import annotations

from datetime import date

import pytest
from django.http import Http404
from django.test import RequestFactory
from django.utils import timezone

from annulus.accounts.access import get_for_user
from annulus.audit.models import AuditEvent
from annulus.clinical.models import MRIStudy
from annulus.leads.models import Lead
from annulus.patients.models import Patient
from annulus.testing import make_clinic

pytestmark = pytest.mark.django_db


def _request(clinic):
    request = RequestFactory().get("/staff/")
    request.clinic = clinic
    return request


def _lead(clinic):
    now = timezone.now()
    return Lead.objects.create(
        clinic=clinic,
        first_name="P",
        email=f"p{clinic.pk}@example.org",
        consent_wording_version="v1",
        consent_given_at=now,
        created_at=now,
    )


def test_it_returns_the_clinics_own_object(clinic):
    lead = _lead(clinic)
    assert get_for_user(_request(clinic), Lead, lead.pk, kind="lead") == lead
    assert not AuditEvent.objects.filter(action="access.denied").exists()


def test_another_clinics_object_is_a_404_and_an_audited_denial(clinic):
    theirs = _lead(make_clinic("Elsewhere (test)"))
    with pytest.raises(Http404):
        get_for_user(_request(clinic), Lead, theirs.pk, kind="lead")
    event = AuditEvent.objects.get(action="access.denied")
    assert (event.details["kind"], event.details["pk"], event.clinic) == (
        "lead",
        str(theirs.pk),
        clinic,
    )


def test_a_missing_object_is_a_404_without_a_denial(clinic):
    with pytest.raises(Http404):
        get_for_user(_request(clinic), Lead, 999_999, kind="lead")
    assert not AuditEvent.objects.filter(action="access.denied").exists()


def test_another_patients_object_is_refused_even_in_the_same_clinic(clinic):
    mine, other = (Patient.objects.create(clinic=clinic, first_name=n, last_name="X") for n in "AB")
    study = MRIStudy.objects.create(patient=other, study_date=date(2026, 1, 5))
    with pytest.raises(Http404):
        get_for_user(_request(clinic), MRIStudy, study.pk, kind="mri_study", patient=mine)
    assert AuditEvent.objects.get(action="access.denied").patient_id == mine.pk
    found = get_for_user(
        _request(clinic),
        MRIStudy.objects.select_related("patient"),
        study.pk,
        kind="mri_study",
        patient=other,
        owner="patient.pk",
    )
    assert found == study
