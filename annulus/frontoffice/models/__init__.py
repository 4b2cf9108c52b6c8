"""The front desk's records: referring doctors and referrals, coverage, price list, estimates."""

from annulus.frontoffice.models.coverage import (
    Coverage,
    GoodFaithEstimate,
    PayerType,
    PriceItem,
    dollars,
)
from annulus.frontoffice.models.referrals import (
    ConsultNoteShare,
    NoteChannel,
    PatientReferrer,
    Referral,
    ReferralAttachment,
    ReferringDoctor,
)

__all__ = [
    "ConsultNoteShare",
    "Coverage",
    "GoodFaithEstimate",
    "NoteChannel",
    "PatientReferrer",
    "PayerType",
    "PriceItem",
    "Referral",
    "ReferralAttachment",
    "ReferringDoctor",
    "dollars",
]
