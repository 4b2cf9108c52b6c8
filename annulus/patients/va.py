"""VA Community Care arithmetic: visits left, days to expiry, claim deadlines, and warnings.

The rules come from clinical-reference.md §6: an authorization allows a number of visits between
two dates (inclusive), and the claim for a visit must reach the third-party administrator within
180 calendar days of the date of service. The deadline here is the visit date + 180 days; a claim
due that day is due, not late.

The functions at the top are pure (plain values in, plain values out) so the boundaries are easy to
test; `va_warnings` adds the two queries that feed them for a whole clinic.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

__all__ = [
    "CLAIM_DAYS",
    "CLAIM_WARNING_DAYS",
    "EXPIRY_WARNING_DAYS",
    "LOW_VISITS",
    "AuthorizationStatus",
    "VAWarning",
    "VisitStatus",
    "authorization_status",
    "authorization_warnings",
    "claim_deadline",
    "claim_warning",
    "day_label",
    "patient_warnings",
    "va_warnings",
    "visit_refusal",
]

CLAIM_DAYS = 180  # claims are filed within 180 calendar days of the date of service
EXPIRY_WARNING_DAYS = 30  # warn when an authorization ends within this many days
CLAIM_WARNING_DAYS = 30  # warn when an unsent claim is due within this many days
LOW_VISITS = 1  # warn when this many visits or fewer remain


def claim_deadline(visit_date: date) -> date:
    """The last day to file the claim for a visit on `visit_date`."""
    return visit_date + timedelta(days=CLAIM_DAYS)


def day_label(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _days(n: int) -> str:
    return f"{n} day" if abs(n) == 1 else f"{n} days"


def visit_refusal(
    visit_date: date, *, valid_from: date, valid_to: date, visits_authorized: int, visits_used: int
) -> tuple[str | None, str] | None:
    """Why a visit cannot be counted against this authorization, as (field, message), or None.

    The field is "visit_date" when the date is outside the authorization, None when the
    authorization itself is used up.
    """
    if not valid_from <= visit_date <= valid_to:
        return (
            "visit_date",
            f"Visit date: {day_label(visit_date)} is outside the authorization, which is valid "
            f"from {day_label(valid_from)} to {day_label(valid_to)}. Care outside these dates "
            "needs a new or extended authorization before the visit.",
        )
    if visits_used >= visits_authorized:
        return (
            None,
            f"All {visits_authorized} authorized visits are already recorded. Ask the VA for "
            "more (Request for Services, VA Form 10-10172) before counting another visit.",
        )
    return None


@dataclass(frozen=True)
class VisitStatus:
    visit: Any
    claim_deadline: date
    days_to_deadline: int
    claim_submitted: bool

    @property
    def overdue(self) -> bool:
        return not self.claim_submitted and self.days_to_deadline < 0

    @property
    def days_overdue(self) -> int:
        return max(-self.days_to_deadline, 0)

    @property
    def due_soon(self) -> bool:
        return not self.claim_submitted and 0 <= self.days_to_deadline <= CLAIM_WARNING_DAYS


@dataclass(frozen=True)
class AuthorizationStatus:
    authorization: Any
    visits_used: int
    visits_remaining: int
    days_to_expiry: int
    visits: list[VisitStatus]

    @property
    def expired(self) -> bool:
        return self.days_to_expiry < 0

    @property
    def days_since_expiry(self) -> int:
        return max(-self.days_to_expiry, 0)

    @property
    def usable(self) -> bool:
        """Another visit can still be counted (today, at least as far as dates go)."""
        return not self.expired and self.visits_remaining > 0


@dataclass(frozen=True)
class VAWarning:
    kind: str  # "expiry", "visits" or "claim"
    patient_id: int
    patient_name: str
    referral_number: str
    due: date
    message: str
    urgent: bool

    @property
    def url(self) -> str:
        return f"/staff/patients/{self.patient_id}/va/"


def authorization_status(
    authorization: Any, visits: Iterable[Any], today: date
) -> AuthorizationStatus:
    """Visits used and left, days to expiry and each visit's claim deadline."""
    rows = []
    for visit in visits:
        deadline = claim_deadline(visit.visit_date)
        rows.append(
            VisitStatus(
                visit=visit,
                claim_deadline=deadline,
                days_to_deadline=(deadline - today).days,
                claim_submitted=visit.claim_submitted_on is not None,
            )
        )
    used = len(rows)
    return AuthorizationStatus(
        authorization=authorization,
        visits_used=used,
        visits_remaining=max(authorization.visits_authorized - used, 0),
        days_to_expiry=(authorization.valid_to - today).days,
        visits=rows,
    )


def authorization_warnings(
    *,
    patient_id: int,
    patient_name: str,
    referral_number: str,
    valid_to: date,
    visits_authorized: int,
    visits_used: int,
    today: date,
) -> list[VAWarning]:
    """Warnings for an authorization still in force: ending within 30 days, ≤ 1 visit left.

    An authorization that has already ended warns no more: its visits' claims still do.
    """
    days = (valid_to - today).days
    if days < 0:
        return []
    warnings = []
    if days <= EXPIRY_WARNING_DAYS:
        when = "today" if days == 0 else f"in {_days(days)}"
        warnings.append(
            VAWarning(
                kind="expiry",
                patient_id=patient_id,
                patient_name=patient_name,
                referral_number=referral_number,
                due=valid_to,
                message=(
                    f"Authorization {referral_number} ends {when} ({day_label(valid_to)}). "
                    "Request an extension (VA Form 10-10172) if care continues."
                ),
                urgent=days <= 7,
            )
        )
    remaining = max(visits_authorized - visits_used, 0)
    if remaining <= LOW_VISITS:
        left = (
            f"all {visits_authorized} visits used"
            if remaining == 0
            else f"{remaining} of {visits_authorized} visits left"
        )
        warnings.append(
            VAWarning(
                kind="visits",
                patient_id=patient_id,
                patient_name=patient_name,
                referral_number=referral_number,
                due=valid_to,
                message=(
                    f"Authorization {referral_number}: {left}. "
                    "Request more (VA Form 10-10172) before the next visit if care continues."
                ),
                urgent=remaining == 0,
            )
        )
    return warnings


def claim_warning(
    *,
    patient_id: int,
    patient_name: str,
    referral_number: str,
    visit_date: date,
    claim_submitted_on: date | None,
    third_party_administrator: str,
    today: date,
) -> VAWarning | None:
    """A warning when the claim for a visit is unsent and due within 30 days, or overdue."""
    if claim_submitted_on is not None:
        return None
    deadline = claim_deadline(visit_date)
    days = (deadline - today).days
    if days > CLAIM_WARNING_DAYS:
        return None
    to = f" to {third_party_administrator}" if third_party_administrator else ""
    if days < 0:
        when = f"was due {day_label(deadline)}, {_days(-days)} ago"
    elif days == 0:
        when = f"is due today ({day_label(deadline)})"
    else:
        when = f"is due in {_days(days)} ({day_label(deadline)})"
    return VAWarning(
        kind="claim",
        patient_id=patient_id,
        patient_name=patient_name,
        referral_number=referral_number,
        due=deadline,
        message=(
            f"Claim for the visit of {day_label(visit_date)} ({referral_number}) {when}. "
            f"File it{to} and mark it submitted."
        ),
        urgent=days <= 7,
    )


def patient_warnings(
    patient: Any, statuses: list[AuthorizationStatus], today: date
) -> list[VAWarning]:
    """The same warnings as `va_warnings`, for one patient's authorizations already loaded."""
    warnings: list[VAWarning] = []
    for status in statuses:
        auth = status.authorization
        who = {
            "patient_id": patient.pk,
            "patient_name": patient.display_name,
            "referral_number": auth.referral_number,
        }
        if patient.stage != "closed":
            warnings += authorization_warnings(
                **who,
                valid_to=auth.valid_to,
                visits_authorized=auth.visits_authorized,
                visits_used=status.visits_used,
                today=today,
            )
        for row in status.visits:
            warning = claim_warning(
                **who,
                visit_date=row.visit.visit_date,
                claim_submitted_on=row.visit.claim_submitted_on,
                third_party_administrator=auth.third_party_administrator,
                today=today,
            )
            if warning is not None:
                warnings.append(warning)
    return _sorted(warnings)


def _sorted(warnings: list[VAWarning]) -> list[VAWarning]:
    """The most pressing first: urgent ones, then by the date they fall due."""
    order = {"claim": 0, "expiry": 1, "visits": 2}
    return sorted(warnings, key=lambda w: (not w.urgent, w.due, order[w.kind], w.patient_name))


def va_warnings(clinic: Any, today: date) -> list[VAWarning]:
    """Every VA Community Care warning for `clinic` on `today`, most pressing first. Two queries.

    Authorizations of closed patients no longer warn about expiry or visits; an unsent claim
    warns whatever the patient's stage, because the clinic is still owed the money.
    """
    from django.db.models import Count, F, Q

    from annulus.patients.models import AuthorizedVisit, CommunityCareAuthorization, Stage

    warnings: list[VAWarning] = []
    authorizations = (
        CommunityCareAuthorization.objects.filter(patient__clinic=clinic, valid_to__gte=today)
        .exclude(patient__stage=Stage.CLOSED)
        .annotate(used=Count("visits"))
        .filter(
            Q(valid_to__lte=today + timedelta(days=EXPIRY_WARNING_DAYS))
            | Q(visits_authorized__lte=F("used") + LOW_VISITS)
        )
        .select_related("patient")
    )
    for authorization in authorizations:
        warnings += authorization_warnings(
            patient_id=authorization.patient_id,
            patient_name=authorization.patient.display_name,
            referral_number=authorization.referral_number,
            valid_to=authorization.valid_to,
            visits_authorized=authorization.visits_authorized,
            visits_used=authorization.used,
            today=today,
        )
    # deadline ≤ today + 30  ⇔  visit_date ≤ today + 30 − 180
    latest_visit = today + timedelta(days=CLAIM_WARNING_DAYS - CLAIM_DAYS)
    visits = AuthorizedVisit.objects.filter(
        authorization__patient__clinic=clinic,
        claim_submitted_on__isnull=True,
        visit_date__lte=latest_visit,
    ).select_related("authorization__patient")
    for visit in visits:
        warning = claim_warning(
            patient_id=visit.authorization.patient_id,
            patient_name=visit.authorization.patient.display_name,
            referral_number=visit.authorization.referral_number,
            visit_date=visit.visit_date,
            claim_submitted_on=visit.claim_submitted_on,
            third_party_administrator=visit.authorization.third_party_administrator,
            today=today,
        )
        if warning is not None:
            warnings.append(warning)
    return _sorted(warnings)
