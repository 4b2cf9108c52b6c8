"""Every write of coverage, the price list and Good Faith Estimates: one transaction, its
history and its audit event. Amounts are whole cents; audit details hold ids, codes and cents."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from annulus.audit.actions import COVERAGE_SAVE, GFE_ISSUE, PRICE_ITEM_SAVE
from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.documents.storage import document_storage
from annulus.frontoffice.models import Coverage, GoodFaithEstimate, PayerType, PriceItem
from annulus.frontoffice.npi import npi_problem
from annulus.patients.history import save_clinical
from annulus.patients.models import ChangeRecord, CommunityCareAuthorization

if TYPE_CHECKING:
    from annulus.patients.models import Patient

# The same estimate issued again this soon is a double submit: one estimate.
DOUBLE_SUBMIT_WINDOW = timedelta(minutes=10)
MAX_CENTS = 10_000_000  # $100,000: a typo guard, far above any line on this price list


class CoverageError(Exception):
    """A write refused: `field` names the form field, `message` says why, for people."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


@dataclass(frozen=True)
class CoverageDetails:
    payer_type: str
    payer_name: str = ""
    member_id: str = ""
    group_number: str = ""
    authorization_number: str = ""
    va_authorization_id: int | None = None


def save_coverage(
    patient: Patient, details: CoverageDetails, *, actor: Any, ctx: AuditContext
) -> Coverage:
    """Set the patient's coverage. VA Community Care links one of the patient's own VA
    authorizations rather than copying its referral number; self-pay keeps no insurer fields."""
    if details.payer_type not in PayerType.values:
        raise CoverageError("payer_type", "Payer: choose one of the list.")
    va_auth = None
    if details.payer_type == PayerType.VA_COMMUNITY_CARE:
        if details.va_authorization_id is None:
            raise CoverageError(
                "va_authorization",
                "VA authorization: choose the patient's VA authorization (add it on the VA page "
                "first).",
            )
        va_auth = CommunityCareAuthorization.objects.filter(
            pk=details.va_authorization_id, patient=patient
        ).first()
        if va_auth is None:
            raise CoverageError(
                "va_authorization", "VA authorization: choose one of this patient's."
            )
    elif details.va_authorization_id is not None:
        raise CoverageError(
            "va_authorization", "VA authorization: only for VA Community Care coverage."
        )
    insured = details.payer_type not in (PayerType.SELF_PAY, PayerType.VA_COMMUNITY_CARE)
    if insured and not details.member_id.strip():
        raise CoverageError("member_id", "Member id: enter the id on the patient's card.")
    self_pay = details.payer_type == PayerType.SELF_PAY
    with transaction.atomic():
        coverage = Coverage.objects.select_for_update().filter(patient=patient).first()
        coverage = coverage or Coverage(patient=patient)
        coverage.payer_type = details.payer_type
        coverage.payer_name = "" if self_pay else details.payer_name.strip()
        coverage.member_id = "" if self_pay else details.member_id.strip()
        coverage.group_number = "" if self_pay else details.group_number.strip()
        coverage.authorization_number = "" if self_pay else details.authorization_number.strip()
        coverage.va_authorization = va_auth
        save_clinical(
            coverage,
            patient=patient,
            user=actor,
            ctx=ctx,
            audit_action=COVERAGE_SAVE,
            details={"payer_type": coverage.payer_type},
        )
    return coverage


def save_price_item(
    clinic: Any,
    *,
    code: str,
    description: str,
    amount_cents: int,
    active: bool = True,
    item: PriceItem | None = None,
    actor: Any,
    ctx: AuditContext,
) -> PriceItem:
    """Add or change one price. The audit event keeps the amount before and after."""
    code = code.strip().upper()
    if not code or not code.isalnum() or len(code) > 12:
        raise CoverageError("code", "Code: a CPT or HCPCS code of letters and digits, e.g. 99204.")
    if not description.strip():
        raise CoverageError("description", "Description: say what the service is.")
    if not 0 < amount_cents <= MAX_CENTS:
        raise CoverageError("amount", "Amount: enter a price above $0 and at most $100,000.")
    target = item or PriceItem(clinic=clinic)
    before = None if item is None else item.amount_cents
    target.code, target.description = code, description.strip()
    target.amount_cents, target.active, target.updated_by = amount_cents, active, actor
    try:
        with transaction.atomic():
            target.save()
            record(
                PRICE_ITEM_SAVE,
                ctx=ctx,
                actor=actor,
                clinic=clinic,
                obj=target,
                details={
                    "code": code,
                    "amount_cents": [before, amount_cents],
                    "active": active,
                },
            )
    except IntegrityError:
        raise CoverageError("code", f"Code: {code} is already on the price list.") from None
    return target


@dataclass(frozen=True)
class EstimateRequest:
    service_description: str
    quantities: dict[int, int]  # price item id -> quantity
    expected_service_date: date | None = None
    diagnosis_codes: str = ""
    provider_npi: str = ""
    provider_tin: str = ""


def issue_estimate(
    patient: Patient, request: EstimateRequest, *, actor: Any, ctx: AuditContext
) -> tuple[GoodFaithEstimate, bool]:
    """A Good Faith Estimate for a self-pay patient, printed and stored with its SHA-256.

    Returns (estimate, created): the same estimate asked again within minutes is returned as it
    was (a double submit). Refused unless the patient's coverage is recorded as self-pay.
    """
    from annulus.frontoffice.gfe import render_estimate_pdf

    coverage = Coverage.objects.filter(patient=patient).first()
    if coverage is None:
        raise CoverageError(
            None, "Coverage: record the patient's coverage as self-pay first (Coverage page)."
        )
    if not coverage.self_pay:
        raise CoverageError(
            None,
            "Coverage: a Good Faith Estimate is for self-pay or uninsured patients; this "
            f"patient's coverage is {coverage.get_payer_type_display()}.",
        )
    if not request.service_description.strip():
        raise CoverageError("service_description", "Service: describe the main service.")
    if request.provider_npi and npi_problem(request.provider_npi):
        raise CoverageError("provider_npi", f"Provider NPI: {npi_problem(request.provider_npi)}.")
    tin = request.provider_tin.replace("-", "")
    if tin and (len(tin) != 9 or not tin.isdigit()):
        raise CoverageError("provider_tin", "Provider TIN: 9 digits, e.g. 12-3456789.")
    chosen = {k: v for k, v in request.quantities.items() if v}
    if any(q < 0 or q > 20 for q in chosen.values()):
        raise CoverageError(None, "Quantity: enter a number from 0 to 20.")
    prices = {
        p.pk: p
        for p in PriceItem.objects.filter(clinic=patient.clinic, active=True, pk__in=list(chosen))
    }
    if not chosen or set(chosen) - set(prices):
        raise CoverageError(None, "Items: enter a quantity for at least one listed service.")
    items: list[dict[str, Any]] = [
        {
            "code": prices[pk].code,
            "description": prices[pk].description,
            "quantity": qty,
            "unit_cents": prices[pk].amount_cents,
            "total_cents": prices[pk].amount_cents * qty,
        }
        for pk, qty in sorted(chosen.items(), key=lambda kv: prices[kv[0]].code)
    ]
    total = sum(prices[pk].amount_cents * qty for pk, qty in chosen.items())
    with transaction.atomic():
        recent = (
            GoodFaithEstimate.objects.select_for_update()
            .filter(
                patient=patient,
                items=items,
                service_description=request.service_description.strip(),
                issued_at__gte=timezone.now() - DOUBLE_SUBMIT_WINDOW,
            )
            .first()
        )
        if recent is not None:
            return recent, False
        estimate = GoodFaithEstimate.objects.create(
            patient=patient,
            service_description=request.service_description.strip(),
            expected_service_date=request.expected_service_date,
            diagnosis_codes=request.diagnosis_codes.strip(),
            provider_npi=request.provider_npi,
            provider_tin=f"{tin[:2]}-{tin[2:]}" if tin else "",
            items=items,
            total_cents=total,
            issued_by=actor,
        )
        pdf = render_estimate_pdf(estimate)
        storage = document_storage()
        name = storage.save(f"estimates/{uuid.uuid4().hex}.pdf", ContentFile(pdf))
        try:
            estimate.pdf_storage_name = name
            estimate.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
            estimate.save(update_fields=["pdf_storage_name", "pdf_sha256"])
            ChangeRecord.objects.create(
                patient=patient,
                record_type="GoodFaithEstimate",
                record_id=str(estimate.pk),
                action="create",
                changes={
                    "total_cents": [None, total],
                    "codes": [None, [i["code"] for i in items]],
                    "pdf_sha256": [None, estimate.pdf_sha256],
                },
                changed_by=actor,
            )
            record(
                GFE_ISSUE,
                ctx=ctx,
                actor=actor,
                clinic=patient.clinic,
                patient_id=patient.pk,
                obj=estimate,
                details={"total_cents": total, "codes": [i["code"] for i in items]},
            )
        except BaseException:
            storage.delete(name)
            raise
    return estimate, True


def latest_estimate(patient: Patient) -> GoodFaithEstimate | None:
    return GoodFaithEstimate.objects.filter(patient=patient).exclude(pdf_sha256="").first()
