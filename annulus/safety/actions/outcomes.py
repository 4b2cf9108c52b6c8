"""A follow-up answer worse than baseline by at least the minimal important change: review."""

from __future__ import annotations

from typing import Any

from annulus.audit.context import AuditContext
from annulus.safety.actions.alerts import raise_alert
from annulus.safety.models import Alert

# Minimal important change (clinical-reference §4.9, Ostelo 2008 [P7]): ODI 10 points on 0-100,
# back-pain NRS 2 points on 0-10. Higher is worse on both.
WORSENING = {"odi": ("worse_odi", 10.0), "nrs-back": ("worse_back_pain", 2.0)}


def raise_worsening_alerts(invitation: Any, response: Any, *, ctx: AuditContext) -> list[Alert]:
    """Compare this time point's ODI and back-pain NRS with baseline; raise a `review` alert
    for each that is worse by at least the MIC. Call inside the transaction that scores it."""
    from annulus.outcomes.models import InstrumentResponse

    if invitation.code == "baseline":
        return []
    follow_up = invitation.follow_up
    scores = {
        part.instrument_id: part.score
        for part in response.instruments.filter(instrument_id__in=WORSENING, score__isnull=False)
    }
    baseline = {
        part.instrument_id: part.score
        for part in InstrumentResponse.objects.filter(
            response__invitation__follow_up=follow_up,
            response__invitation__code="baseline",
            instrument_id__in=WORSENING,
            score__isnull=False,
        )
    }
    raised = []
    for instrument, (code, mic) in WORSENING.items():
        before, now = baseline.get(instrument), scores.get(instrument)
        if before is None or now is None or now - before < mic:
            continue
        alert = raise_alert(
            patient=follow_up.patient,
            severity="review",
            source="survey",
            code=code,
            source_ref=f"response:{response.pk}",
            answer={
                "instrument": instrument,
                "time_point": invitation.code,
                "baseline": before,
                "follow_up": now,
                "mic": mic,
            },
            ctx=ctx,
        )
        if alert is not None:
            raised.append(alert)
    return raised
