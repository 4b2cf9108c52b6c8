"""Override rates per criterion: how often clinicians disagree with each rule of a protocol.

One query whatever the number of evaluations: it reads only the small per-evaluation lists
(`judged_criteria`, `overridden_criteria`), never the decision JSON.
"""

from __future__ import annotations

from dataclasses import dataclass

from annulus.accounts.models import Clinic
from annulus.candidacy.models import Evaluation, Review


@dataclass
class CriterionRate:
    id: str
    title: str
    evaluated: int  # evaluations that judged the criterion (any status but not_applicable)
    reviewed: int  # of those, accepted or overridden by a clinician
    overrides: int  # overrides naming the criterion

    @property
    def rate(self) -> float | None:
        """Overrides naming it per reviewed evaluation that judged it; None before any review."""
        return self.overrides / self.reviewed if self.reviewed else None


@dataclass
class Totals:
    evaluations: int = 0
    reviewed: int = 0
    overridden: int = 0


def override_rates(
    clinic: Clinic,
    *,
    protocol_id: str | None = None,
    version: int | None = None,
    titles: dict[str, str] | None = None,
) -> tuple[list[CriterionRate], Totals]:
    """Per criterion id, for one clinic's evaluations (optionally of one protocol/version)."""
    rows = Evaluation.objects.filter(patient__clinic=clinic)
    if protocol_id:
        rows = rows.filter(protocol_id=protocol_id)
    if version is not None:
        rows = rows.filter(protocol_version=version)
    rates: dict[str, CriterionRate] = {}
    totals = Totals()
    titles = titles or {}
    for judged, overridden, review in rows.values_list(
        "judged_criteria", "overridden_criteria", "review"
    ).order_by():
        totals.evaluations += 1
        is_reviewed = review != Review.PENDING
        totals.reviewed += is_reviewed
        totals.overridden += review == Review.OVERRIDDEN
        named = set(overridden or ()) if review == Review.OVERRIDDEN else set()
        for cid in set(judged or ()):
            rate = rates.get(cid) or rates.setdefault(
                cid, CriterionRate(cid, titles.get(cid, cid), 0, 0, 0)
            )
            rate.evaluated += 1
            rate.reviewed += is_reviewed
            rate.overrides += cid in named
    ordered = sorted(
        rates.values(), key=lambda r: (-(r.rate or 0), -r.overrides, -r.evaluated, r.id)
    )
    return ordered, totals
