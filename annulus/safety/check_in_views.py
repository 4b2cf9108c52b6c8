"""The patient's post-procedure check-in, through a secret link (as the intake link works)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_http_methods

from annulus.accounts.policy import public
from annulus.audit.actions import CHECK_IN_LINK_REFUSED
from annulus.audit.context import AuditContext
from annulus.audit.models import Outcome
from annulus.audit.record import record
from annulus.lib.tokens import looks_like_token, token_hash
from annulus.safety import actions
from annulus.safety.forms import CheckInForm
from annulus.safety.models import Alert, CheckIn, Severity
from annulus.screening.red_flags import EMERGENCY_INSTRUCTION

SESSION_KEY = "annulus_check_in"


def _headers(response: HttpResponse, *, token_in_url: bool = False) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    if token_in_url:
        response["Referrer-Policy"] = "no-referrer"
    return response


def _active(check_in_id: object) -> CheckIn | None:
    if not isinstance(check_in_id, int):
        return None
    check_in = CheckIn.objects.select_related("patient__clinic").filter(pk=check_in_id).first()
    if check_in is None or check_in.link_expires_at is None:
        return None
    if check_in.link_expires_at <= datetime.now(UTC):
        return None
    return check_in


@public
def check_in_start(request: HttpRequest, token: str) -> HttpResponse:
    check_in = None
    if looks_like_token(token):
        check_in = CheckIn.objects.filter(token_hash=token_hash(token)).first()
    if check_in is None or _active(check_in.pk) is None:
        record(CHECK_IN_LINK_REFUSED, request=request, outcome=Outcome.DENIED)
        page = render(request, "safety/check_in_invalid.html", status=404)
        return _headers(page, token_in_url=True)
    request.session.cycle_key()
    request.session[SESSION_KEY] = check_in.pk
    return _headers(redirect("check_in:form"), token_in_url=True)


def _what_to_do(check_in: CheckIn, alerts: list[Alert]) -> dict[str, object]:
    severities = {a.severity for a in alerts}
    clinic = check_in.patient.clinic
    if Severity.EMERGENCY in severities:
        return {"instruction": EMERGENCY_INSTRUCTION, "emergency": True, "clinic": clinic}
    return {"emergency": False, "clinic": clinic, "any_yes": bool(alerts)}


@public
@require_http_methods(["GET", "POST"])
def check_in_form(request: HttpRequest) -> HttpResponse:
    check_in = _active(request.session.get(SESSION_KEY))
    if check_in is None:
        return _headers(render(request, "safety/check_in_invalid.html", status=404))
    if check_in.answered_at is not None:
        alerts = list(check_in.patient.alerts.filter(source_ref=f"checkin:{check_in.pk}"))
        context = {"check_in": check_in, **_what_to_do(check_in, alerts)}
        return _headers(render(request, "safety/check_in_done.html", context))
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.answer_check_in(
            check_in,
            form.answers(),
            ctx=AuditContext.from_request(request),
            language=translation.get_language() or "en",
        )
        return _headers(redirect("check_in:form"))
    context = {"form": form, "check_in": check_in, "clinic": check_in.patient.clinic}
    return _headers(render(request, "safety/check_in.html", context))
