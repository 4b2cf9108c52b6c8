"""Writes for the self-screen: one transaction, one audit event each."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from annulus.audit.actions import SCREENING_COMPLETED
from annulus.audit.record import record
from annulus.lib.tokens import new_token, token_hash
from annulus.screening import assess
from annulus.screening.models import ScreeningResponse
from annulus.screening.red_flags import WORDING_VERSION


def record_screening(
    request: HttpRequest,
    *,
    clinic: Any,
    flags: dict[str, bool],
    verdict: assess.Verdict,
    answers: dict[str, Any] | None = None,
    carry_over: bool = False,
    consent_wording: str = "",
) -> tuple[ScreeningResponse, str]:
    """Store one completed self-screen; return it with the result link's token (shown once).

    Consent to carry the answers on is kept only for outcomes that offer booking.
    """
    carry_over = carry_over and verdict.outcome == "worth_evaluation"
    token = new_token()
    with transaction.atomic():
        response = ScreeningResponse.objects.create(
            clinic=clinic,
            red_flags=flags,
            red_flags_wording=WORDING_VERSION,
            answers=answers or {},
            outcome=verdict.outcome,
            routes=list(verdict.routes),
            reasons=verdict.reason_codes,
            carry_over_consent=carry_over,
            consent_wording_version=consent_wording if carry_over else "",
            token_hash=token_hash(token),
        )
        record(
            SCREENING_COMPLETED,
            request=request,
            clinic=clinic,
            obj=response,
            details={
                "outcome": verdict.outcome,
                "routes": list(verdict.routes),
                "carry_over": carry_over,
            },
        )
    return response, token
