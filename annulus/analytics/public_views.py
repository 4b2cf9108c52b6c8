"""The public results page: the latest published snapshot of the fibrin arm, or "nothing yet".

Never live numbers: only what the director published, with its date, completion, both attrition
bounds and the trial's saline arm beside it.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from annulus.accounts.models import public_clinic
from annulus.accounts.policy import public
from annulus.analytics.models import PublishedSnapshot


def latest_public_snapshot() -> PublishedSnapshot | None:
    """The latest snapshot of the clinic the public site speaks for, if any."""
    clinic = public_clinic()
    return PublishedSnapshot.objects.filter(clinic=clinic).first() if clinic else None


@public
@require_safe
def our_results(request: HttpRequest) -> HttpResponse:
    snapshot = latest_public_snapshot()
    context = {
        "page_title": "Our results beside the trial evidence",
        "meta_description": (
            "The clinic's own published results after fibrin injection, with completion, "
            "attrition bounds and the phase III trial's saline arm beside them."
        ),
        "snapshot": snapshot,
    }
    return render(request, "analytics/our_results.html", context)
