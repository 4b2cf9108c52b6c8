"""Demo data for the front desk: referring doctors, a referral lead, the price list and the
coverage of some demo patients. Synthetic people only. The demo seeder calls
`seed_demo_referrals(clinic)` after the patients exist; every step is idempotent."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from annulus.audit.context import AuditContext
from annulus.frontoffice import coverage_actions, referral_actions
from annulus.frontoffice.models import Coverage, PriceItem, Referral, ReferringDoctor
from annulus.frontoffice.npi import with_check_digit

CTX = AuditContext.system("seed_demo")

# Self-pay prices of the demo clinic (synthetic amounts, in cents).
PRICE_LIST: tuple[tuple[str, str, int], ...] = (
    ("99204", "New patient consultation, 45 minutes", 32_500),
    ("99213", "Follow-up visit", 14_500),
    ("72148", "MRI lumbar spine without contrast (review of outside study)", 9_500),
    ("62290", "Provocation discography, lumbar, each level", 120_000),
    ("72295", "Discography, lumbar, imaging supervision and interpretation", 45_000),
    ("22899", "Intra-annular fibrin sealant injection (unlisted spine procedure)", 650_000),
    ("77003", "Fluoroscopic guidance for spinal injection", 27_500),
)

DOCTORS: tuple[tuple[str, str, str, str, str], ...] = (
    ("Dr Ada Lindqvist", "Maple Family Practice", "112233445", "lindqvist@maple.demo.test", ""),
    ("Dr Tomas Reyes", "Riverside Physical Medicine", "556677889", "", "+1 555 0170"),
)


def seed_price_list(clinic: Any) -> list[PriceItem]:
    items = []
    for code, description, cents in PRICE_LIST:
        existing = PriceItem.objects.filter(clinic=clinic, code=code).first()
        items.append(
            existing
            or coverage_actions.save_price_item(
                clinic, code=code, description=description, amount_cents=cents, actor=None, ctx=CTX
            )
        )
    return items


def seed_doctors(clinic: Any) -> list[ReferringDoctor]:
    doctors = []
    for name, practice, first_nine, email, fax in DOCTORS:
        npi = with_check_digit(first_nine)
        existing = ReferringDoctor.objects.filter(clinic=clinic, npi=npi).first()
        details = referral_actions.DoctorDetails(name, practice, npi, email, fax)
        doctors.append(
            existing or referral_actions.save_doctor(clinic, details, actor=None, ctx=CTX)
        )
    return doctors


def seed_referral_lead(clinic: Any, doctor: ReferringDoctor) -> Referral:
    existing = Referral.objects.filter(clinic=clinic, doctor=doctor).first()
    if existing is not None:
        return existing
    referral, _ = referral_actions.receive_referral(
        clinic,
        referral_actions.IncomingReferral(
            doctor=referral_actions.DoctorDetails(
                doctor.name, doctor.practice, doctor.npi, doctor.email, doctor.fax
            ),
            first_name="Jordan",
            last_name="Pellworth",
            email="jordan.pellworth@example.org",
            phone="+1 555 0148",
            date_of_birth=timezone.localdate().replace(year=timezone.localdate().year - 44),
            reason="Two years of axial low back pain; MRI shows a high-intensity zone at L4-5. "
            "Failed six months of physical therapy. Please assess.",
        ),
        ctx=CTX,
    )
    return referral


def seed_coverage(clinic: Any, doctors: list[ReferringDoctor]) -> dict[str, int]:
    """Coverage for the first demo patients: veterans with a VA authorization get VA Community
    Care (linked), then self-pay, Medicare and commercial in turn; the first two are linked to
    a referring doctor."""
    from annulus.patients.models import Patient

    counts: dict[str, int] = {}
    cycle = ("self_pay", "medicare", "commercial", "self_pay")
    patients = list(Patient.objects.filter(clinic=clinic).order_by("pk")[:8])
    for n, patient in enumerate(patients):
        if n < 2:
            referral_actions.link_doctor(patient, doctors[n % len(doctors)], actor=None, ctx=CTX)
        if Coverage.objects.filter(patient=patient).exists():
            continue
        auth = patient.va_authorizations.order_by("pk").first()
        if auth is not None:
            details = coverage_actions.CoverageDetails(
                "va_community_care", va_authorization_id=auth.pk
            )
        else:
            payer = cycle[n % len(cycle)]
            details = coverage_actions.CoverageDetails(
                payer,
                payer_name={"medicare": "Medicare Part B", "commercial": "Demo Health PPO"}.get(
                    payer, ""
                ),
                member_id="" if payer == "self_pay" else f"DEMO{patient.pk:05d}",
            )
        coverage_actions.save_coverage(patient, details, actor=None, ctx=CTX)
        counts[details.payer_type] = counts.get(details.payer_type, 0) + 1
    return counts


def seed_demo_referrals(clinic: Any) -> dict[str, Any]:
    """Everything above, for `make demo`. Returns counts for the seeder's summary."""
    prices = seed_price_list(clinic)
    doctors = seed_doctors(clinic)
    referral = seed_referral_lead(clinic, doctors[0])
    coverage = seed_coverage(clinic, doctors)
    return {
        "prices": len(prices),
        "referring_doctors": len(doctors),
        "referral_lead": referral.lead_id,
        "coverage": coverage,
    }
