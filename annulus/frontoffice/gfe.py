"""The Good Faith Estimate as a PDF (No Surprises Act, 45 CFR 149.610).

The disclaimer is in our own words and says what the rule requires a patient be told: it is an
estimate, other items may be needed, the right to dispute a bill at least $400 over it, to keep
a copy, and that it is not a contract. Rendered with the consult note's WeasyPrint fetcher,
which refuses every outside resource, in the patient's language (issue #18: the disclaimer's
Spanish is in django.po, in our own words as the English is).
"""

from __future__ import annotations

import hashlib

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from annulus.candidacy.consult_note import render_pdf
from annulus.documents.storage import document_storage
from annulus.frontoffice.models import GoodFaithEstimate, dollars

DISPUTE_THRESHOLD_CENTS = 40_000

DISCLAIMER: tuple[str, ...] = (
    gettext_noop(
        "This Good Faith Estimate shows what we expect to charge for the items and services "
        "listed, based on what we know about your care today. It is an estimate, not a bill."
    ),
    gettext_noop(
        "It does not include costs we cannot foresee. If your care changes, for example because "
        "of a complication, or if you need items or services not listed here, the charges can be "
        "higher. Some care you may need, such as imaging at another facility, is billed "
        "separately by those who provide it and is not included unless listed."
    ),
    gettext_noop(
        "You are entitled to a Good Faith Estimate because you are paying for your care yourself "
        "(you do not have insurance, or are not using it for this care)."
    ),
    gettext_noop(
        "If you are billed at least $400 more than this estimate by any provider or facility "
        "listed on it, you have the right to dispute the bill through the federal "
        "patient-provider dispute resolution process. Start within 120 calendar days of the date "
        "on the bill. There is a small administrative fee. You may also first ask us to update "
        "the bill or to agree a payment plan; using the dispute process does not affect the "
        "quality of the care you get."
    ),
    gettext_noop(
        "Keep a copy of this estimate, and of your bill: you need them to start a dispute."
    ),
    gettext_noop(
        "This estimate is not a contract. It does not require you to receive any of these items "
        "or services, nor to receive them from us."
    ),
    gettext_noop(
        "To learn more about your right to a Good Faith Estimate, or how to start a dispute, "
        "visit www.cms.gov/nosurprises or call the No Surprises Help Desk at 1-800-985-3059."
    ),
)


def estimate_context(estimate: GoodFaithEstimate) -> dict[str, object]:
    patient = estimate.patient
    clinic = patient.clinic
    rows = [
        {
            **item,
            "unit": dollars(int(item["unit_cents"])),
            "total": dollars(int(item["total_cents"])),
        }
        for item in estimate.items
    ]
    return {
        "estimate": estimate,
        "patient": patient,
        "clinic": clinic,
        "rows": rows,
        "total": dollars(estimate.total_cents),
        "dispute_threshold": dollars(DISPUTE_THRESHOLD_CENTS),
        "disclaimer": [gettext(paragraph) for paragraph in DISCLAIMER],
        "issued_local": estimate.issued_at.astimezone(clinic.zone),
        "printed_at": timezone.now().astimezone(clinic.zone),
    }


def render_estimate_pdf(estimate: GoodFaithEstimate) -> bytes:
    with translation.override(estimate.patient.language or "en"):
        html = render_to_string("frontoffice/gfe_pdf.html", estimate_context(estimate))
    return render_pdf(html)


class EstimateUnavailable(Exception):
    """The stored PDF is missing or does not match the SHA-256 taken when it was printed."""


def read_verified_estimate(estimate: GoodFaithEstimate) -> bytes:
    if not estimate.pdf_storage_name or not estimate.pdf_sha256:
        raise EstimateUnavailable("no PDF is stored for this estimate")
    try:
        with document_storage().open(estimate.pdf_storage_name, "rb") as handle:
            data = handle.read()
    except (OSError, ValueError) as exc:
        raise EstimateUnavailable("the stored PDF cannot be read") from exc
    if hashlib.sha256(data).hexdigest() != estimate.pdf_sha256:
        raise EstimateUnavailable("the stored PDF does not match the SHA-256 taken at printing")
    return data
