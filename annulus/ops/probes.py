"""`/healthz` and `/readyz` as the URLconf sees them: the checks (health.py) load on first use.

health.py is built on django-health-check, whose package imports redis and dnspython for checks
Annulus does not use — a quarter of a CPU-second that every process loading the URLconf paid
(`annulus check`, each web worker, each test process). The probes are async views, so these are.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

from annulus.accounts.policy import public


@public
async def liveness(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    from annulus.ops import health

    response: HttpResponse = await health.liveness(request, *args, **kwargs)
    return response


@public
async def readiness(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    from annulus.ops import health

    response: HttpResponse = await health.readiness(request, *args, **kwargs)
    return response
