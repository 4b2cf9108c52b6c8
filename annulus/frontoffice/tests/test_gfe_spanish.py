"""The Good Faith Estimate PDF is in the patient's language (issue #18); staff pages stay
English, and the stored copy keeps its SHA-256 rules."""

from __future__ import annotations

import hashlib

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from annulus.consents.testing import pdf_language
from annulus.documents.storage import document_storage
from annulus.frontoffice import coverage_actions as actions
from annulus.frontoffice.gfe import estimate_context
from annulus.frontoffice.models import GoodFaithEstimate
from annulus.frontoffice.tests.conftest import CTX
from annulus.frontoffice.tests.test_coverage_and_estimates import prices

pytestmark = pytest.mark.django_db


def issue(patient, clinic) -> GoodFaithEstimate:
    consult, injection = prices(clinic)
    actions.save_coverage(patient, actions.CoverageDetails("self_pay"), actor=None, ctx=CTX)
    request = actions.EstimateRequest("Fibrin injection", {consult.pk: 1, injection.pk: 1})
    estimate, _ = actions.issue_estimate(patient, request, actor=None, ctx=CTX)
    return estimate


def stored(estimate: GoodFaithEstimate) -> bytes:
    with document_storage().open(estimate.pdf_storage_name, "rb") as handle:
        data = handle.read()
    assert hashlib.sha256(data).hexdigest() == estimate.pdf_sha256
    return data


def test_a_spanish_patients_estimate_is_printed_in_spanish(patient, clinic):
    patient.language = "es"
    patient.save(update_fields=["language"])
    assert pdf_language(stored(issue(patient, clinic))) == "es"


def test_an_english_patients_estimate_stays_english(patient, clinic):
    assert pdf_language(stored(issue(patient, clinic))) == "en"


def test_the_spanish_estimate_says_what_the_rule_requires(patient, clinic):
    patient.language = "es"
    estimate = GoodFaithEstimate(patient=patient, service_description="Consulta", total_cents=100)
    estimate.items = [
        {"code": "99204", "description": "Consulta", "quantity": 1, "unit_cents": 100,
         "total_cents": 100}
    ]  # fmt: skip
    with translation.override("es"):
        html = render_to_string("frontoffice/gfe_pdf.html", estimate_context(estimate))
    assert '<html lang="es">' in html
    for required in (
        "Estimación de Buena Fe",
        "al menos $400",
        "disputar la factura",
        "120 días naturales",
        "Guarde una copia",
        "no es un contrato",
        "no una factura",
        "www.cms.gov/nosurprises",
        "1-800-985-3059",
        "Cargos previstos",
    ):
        assert required in html, required
    assert "not a contract" not in html and "Expected charges" not in html
