"""The contract with booking and intake: a self-screen's answers, only with the person's consent.

Booking receives `?screening=<token>` on its link and calls `answers_for_token(token)`. The keys
follow the candidacy case format (spec/candidacy.md §1) so intake can prefill a case directly.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from annulus.lib.tokens import looks_like_token, token_hash
from annulus.screening import assess
from annulus.screening.models import Outcome, ScreeningResponse

__all__ = ["answers_for_token"]


def answers_for_token(token: str) -> dict[str, Any] | None:
    """Prefill data for booking and intake, or None.

    None unless the token is one we issued, the person consented to carry the answers on, the
    outcome offered booking, and the link is less than 7 days old. The answers hold no name or
    contact details. Shape::

        {"screening_id": 12, "completed_at": "2026-11-25T10:00:00+00:00",
         "outcome": "worth_evaluation",
         "consent": {"kind": "carry_over_screening", "wording_version": "...", "given_at": "..."},
         "patient": {"veteran": True | False | None, "age_band": "18_to_75"},
         "symptoms": {"back_pain_duration_months": 12.0, "back_pain_nrs": 6,
                      "leg_pain_below_knee": False, "pain_pattern": "mostly_back"},
         "red_flags": {"saddle_anesthesia": False, ...all nine...},
         "conservative_care": {"duration_months": 3.0, "exercise_or_physical_therapy": True},
         "history": {"prior_spine_surgery": "none"}}

    `back_pain_duration_months` and `duration_months` are the lower bound of the band chosen.
    """
    if not isinstance(token, str) or not looks_like_token(token):
        return None
    response = ScreeningResponse.objects.filter(
        token_hash=token_hash(token),
        carry_over_consent=True,
        outcome=Outcome.WORTH_EVALUATION,
        expires_at__gt=timezone.now(),
    ).first()
    if response is None:
        return None
    a = response.answers
    _, care_months, with_exercise = assess.CARE[a["care"]]
    return {
        "screening_id": response.pk,
        "completed_at": response.created_at.isoformat(),
        "outcome": response.outcome,
        "consent": {
            "kind": "carry_over_screening",
            "wording_version": response.consent_wording_version,
            "given_at": response.created_at.isoformat(),
        },
        "patient": {"veteran": a.get("veteran"), "age_band": a["age_band"]},
        "symptoms": {
            "back_pain_duration_months": assess.DURATIONS[a["duration"]][1],
            "back_pain_nrs": a["back_pain"],
            "leg_pain_below_knee": a["below_knee"],
            "pain_pattern": a["pain_pattern"],
        },
        "red_flags": {k: bool(v) for k, v in response.red_flags.items()},
        "conservative_care": {
            "duration_months": care_months,
            "exercise_or_physical_therapy": with_exercise,
        },
        "history": {"prior_spine_surgery": a["prior_surgery"]},
    }
