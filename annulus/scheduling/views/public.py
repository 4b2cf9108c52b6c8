"""The public booking pages: service → day → time → details → booked (see `common`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from annulus.accounts.models import public_clinic
from annulus.accounts.policy import public
from annulus.audit.context import AuditContext
from annulus.lib.site import site_base
from annulus.lib.tokens import new_token
from annulus.scheduling import actions
from annulus.scheduling.forms import DetailsForm, parse_instant
from annulus.scheduling.views.common import (
    APPOINTMENT_KEY,
    JUST_BOOKED_KEY,
    SCREENING_KEY,
    bookable_services,
    calendar_context,
    limited,
    private,
    screening_answers,
    slot_summary,
    token_in_url,
    zone_note,
)


@public
@never_cache
@require_safe
@limited("book.browse")
def start(request: HttpRequest) -> HttpResponse:
    """Step 1–3: choose a service, then a day, then a time."""
    clinic = public_clinic()
    services = bookable_services(clinic)
    context: dict[str, Any] = {"page_title": _("Book an appointment"), "hide_booking": True}
    token = request.GET.get("screening", "")
    if token:
        answers = screening_answers(token)
        if answers is not None:
            request.session[SCREENING_KEY] = {
                "screening_id": answers.get("screening_id"),
                "veteran": (answers.get("patient") or {}).get("veteran"),
            }
    context["screening_carried"] = bool(request.session.get(SCREENING_KEY))
    slug = request.GET.get("service", "")
    service = next((s for s in services if s.slug == slug), None)
    if service is None:
        context |= {"step": "service", "services": services, "unknown_service": bool(slug)}
        if len(services) == 1 and not slug:
            return redirect(f"{reverse('scheduling:start')}?service={services[0].slug}")
        response = render(request, "scheduling/start.html", context)
        return token_in_url(response) if token else response
    now = timezone.now()

    def link(params: dict[str, str]) -> str:
        if "start" in params:
            query = urlencode({"service": service.slug, **params})
            return f"{reverse('scheduling:details')}?{query}"
        return f"{reverse('scheduling:start')}?{urlencode({'service': service.slug, **params})}"

    context |= {
        "service": service,
        "zone_note": zone_note(service),
        "multiple_services": len(services) > 1,
        "waitlist_url": f"{reverse('scheduling:waitlist_join')}?service={service.slug}",
        **calendar_context(request, service, now=now, link=link),
    }
    status = 400 if context.get("day_error") else 200
    response = render(request, "scheduling/start.html", context, status=status)
    return token_in_url(response) if token else response


@public
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@limited("book.submit")
def details(request: HttpRequest) -> HttpResponse:
    """Step 4: who is coming, then book. A taken slot says so and offers other times."""
    services = {s.slug: s for s in bookable_services(public_clinic())}
    data = request.POST if request.method == "POST" else request.GET
    service = services.get(data.get("service", ""))
    start_at = parse_instant(data.get("start", ""))
    resource = data.get("resource", "")
    if service is None or start_at is None:
        return redirect("scheduling:start")
    context: dict[str, Any] = {
        "page_title": _("Your details"),
        "hide_booking": True,
        "service": service,
        "zone_note": zone_note(service),
        **slot_summary(service, start_at, resource),
    }
    now = timezone.now()
    status = 200
    if request.method == "POST":
        form = DetailsForm(request.POST, service=service)
        if form.is_valid():
            data_ = form.cleaned_data
            try:
                appointment = actions.book_appointment(
                    AuditContext.from_request(request),
                    service=service,
                    start=data_["start"],
                    resource=data_["resource"] or None,
                    details=actions.PatientDetails(
                        first_name=data_["first_name"],
                        last_name=data_["last_name"],
                        email=data_["email"],
                        phone=data_["phone"],
                        date_of_birth=data_["date_of_birth"],
                        language=translation.get_language() or "en",
                    ),
                    mode=data_.get("mode") or None,
                    form_token=data_["form_token"],
                    screening=request.session.get(SCREENING_KEY),
                    base=site_base(request),
                    now=now,
                )
            except actions.BookingError as exc:
                if exc.field in form.fields and not form.fields[exc.field].widget.is_hidden:
                    form.add_error(exc.field, exc.message)
                else:
                    form.add_error(None, exc.message)
                status = 422
            except actions.SlotTaken:
                context["taken"] = True
                status = 409
            else:
                request.session.cycle_key()
                request.session[APPOINTMENT_KEY] = appointment.pk
                request.session[JUST_BOOKED_KEY] = True
                request.session.pop(SCREENING_KEY, None)
                return private(redirect("scheduling:appointment"))
        else:
            status = 400
    else:
        refused = actions.refusal(service, start_at, lead=resource or None, now=now)
        if isinstance(refused, actions.SlotTaken):
            context["taken"] = True
            status = 409
        elif refused is not None:
            context["refused"] = refused.message
            status = 422
        form = DetailsForm(
            initial={
                "service": service.slug,
                "start": data.get("start", ""),
                "resource": resource,
                "form_token": new_token(),
            },
            service=service,
        )
    context["form"] = form
    context["screening_carried"] = bool(request.session.get(SCREENING_KEY))
    return private(render(request, "scheduling/details.html", context, status=status))
