"""The patient's own intake, through a secret link: one section per page, saved as they go.

The token is in the URL only on the first visit; it is then kept in the session and the page
redirects to a plain address, so it does not linger in history, logs or Referer headers.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from annulus.accounts.policy import public
from annulus.audit.actions import INTAKE_LINK_OPENED, INTAKE_LINK_REFUSED
from annulus.audit.context import AuditContext
from annulus.audit.models import Outcome
from annulus.audit.record import record
from annulus.lib.tokens import looks_like_token, token_hash
from annulus.patients.actions import save_intake
from annulus.patients.forms import IntakeForm
from annulus.patients.models import Intake, IntakeLink, IntakeStatus
from annulus.screening.red_flags import CAUDA_EQUINA_IDS, FLAG_IDS, instruction_for

SESSION_KEY = "annulus_intake_link"
WARNING_SIGNS = 2  # the section that asks the red-flag questions


def _no_referrer(response: HttpResponse) -> HttpResponse:
    """For the answer to the URL that holds the token: nothing may pass it on."""
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


def _private(response: HttpResponse) -> HttpResponse:
    """For the form pages, whose URL holds no token. The site's same-origin referrer policy
    stays: with no-referrer, browsers post forms with `Origin: null`, which CSRF refuses."""
    response["Cache-Control"] = "no-store"
    return response


def _active_link(link_id: object) -> IntakeLink | None:
    if not isinstance(link_id, int):
        return None
    link = IntakeLink.objects.select_related("patient__clinic").filter(pk=link_id).first()
    if link is None or link.revoked_at is not None or link.expires_at <= datetime.now(UTC):
        return None
    return link


@public
def intake_start(request: HttpRequest, token: str) -> HttpResponse:
    link = None
    if looks_like_token(token):
        link = IntakeLink.objects.filter(token_hash=token_hash(token)).first()
    if link is None or _active_link(link.pk) is None:
        record(
            INTAKE_LINK_REFUSED,
            request=request,
            outcome=Outcome.DENIED,
            patient_id=link.patient_id if link else None,
        )
        return _no_referrer(render(request, "patients/intake_link_invalid.html", status=404))
    request.session.cycle_key()
    request.session[SESSION_KEY] = link.pk
    record(
        INTAKE_LINK_OPENED,
        request=request,
        clinic=link.patient.clinic,
        patient_id=link.patient_id,
    )
    return _no_referrer(redirect("intake_public:form"))


@public
@require_http_methods(["GET", "POST"])
def intake_form(request: HttpRequest) -> HttpResponse:
    link = _active_link(request.session.get(SESSION_KEY))
    if link is None:
        return _private(render(request, "patients/intake_link_invalid.html", status=404))
    patient = link.patient
    intake = Intake.objects.filter(patient=patient).first() or Intake(patient=patient)
    instruction = instruction_for({f: getattr(intake, f) for f in FLAG_IDS}, patient.clinic.phone)
    if intake.status != IntakeStatus.DRAFT:
        context: dict[str, object] = {
            "intake": intake,
            "instruction": instruction,
            "clinic": patient.clinic,
        }
        return _private(render(request, "patients/intake_public_done.html", context))
    sections = IntakeForm(patient_view=True).sections()
    try:
        step = min(max(int(request.GET.get("section", "1")), 1), len(sections))
    except ValueError:
        step = 1
    names = [field.name for field in sections[step - 1][1]]
    form = IntakeForm(request.POST or None, instance=intake, patient_view=True)
    for name in list(form.fields):
        if name not in names:
            del form.fields[name]
    if request.method == "POST" and form.is_valid():
        sending = step == len(sections) and "submit" in request.POST
        # The cauda-equina questions must be answered before the intake can be sent.
        unanswered = [f for f in CAUDA_EQUINA_IDS if getattr(intake, f) is None]
        finishing = sending and not unanswered
        save_intake(
            form.save(commit=False),
            actor=None,
            ctx=AuditContext.from_request(request),
            via_patient_link=True,
            submit=finishing,
        )
        if finishing:
            return _private(redirect("intake_public:form"))
        if sending:
            return _private(redirect(f"/intake/?section={WARNING_SIGNS}&unanswered=1"))
        # A yes to a red flag shows what to do now at the top of the next page.
        return _private(
            redirect(f"{reverse('intake_public:form')}?section={min(step + 1, len(sections))}")
        )
    context = {
        "form": form,
        "title": sections[step - 1][0],
        "step": step,
        "steps": len(sections),
        "clinic": patient.clinic,
        "first_name": patient.first_name,
        "instruction": instruction,
        "unanswered": request.GET.get("unanswered") == "1",
    }
    return _private(render(request, "patients/intake_public.html", context))
