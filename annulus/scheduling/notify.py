"""The emails a booking sends, queued in the booking's own transaction.

`queue_email` stores the email and hands it to the worker once the transaction commits, so an
email exists exactly when its booking does, and its delivery state comes from the mail backend.
Patients' emails carry their first name and the visit; staff emails carry no patient details.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from annulus.notifications.actions import attachment, queue_email
from annulus.scheduling.ics import appointment_ics, ics_filename
from annulus.scheduling.links import day_label, manage_url, time_label, when_label
from annulus.scheduling.models import Appointment, Mode, ResourceKind

SUBJECTS = {
    "confirmation": gettext_lazy("Your appointment at %(clinic)s is booked: %(when)s"),
    "rescheduled": gettext_lazy("Your appointment at %(clinic)s has moved: %(when)s"),
    "cancelled": gettext_lazy("Your appointment at %(clinic)s is cancelled"),
    "reminder": gettext_lazy("Reminder: your appointment at %(clinic)s, %(when)s"),
}


def _context(appointment: Appointment, base: str) -> dict[str, Any]:
    zone = appointment.location.zone
    return {
        "appointment": appointment,
        "clinic": appointment.clinic,
        "service": appointment.service,
        "location": appointment.location,
        "telehealth": appointment.mode == Mode.TELEHEALTH,
        "first_name": appointment.patient.first_name,
        "day": day_label(appointment.start, zone),
        "time": time_label(appointment.start, zone),
        "end_time": time_label(appointment.end, zone),
        "when": when_label(appointment.start, zone),
        "manage_url": manage_url(appointment, base),
    }


def to_patient(appointment: Appointment, kind: str, base: str, *, dedupe: str = "") -> Any:
    """Queue one email to the patient (confirmation, rescheduled, cancelled or reminder).

    Written in the patient's language: subject, body, the link (it opens the pages in that
    language) and the .ics text.
    """
    email = appointment.patient.email
    if not email:
        return None
    with translation.override(appointment.patient.language or "en"):
        context = _context(appointment, base)
        subject = str(SUBJECTS[kind]) % {"clinic": appointment.clinic.name, "when": context["when"]}
        body = render_to_string(f"scheduling/email/{kind}.txt", context)
        ics = appointment_ics(appointment)
    return queue_email(
        kind=f"booking.{kind}",
        to=email,
        subject=subject[:200],
        body_text=body,
        attachments=[attachment(ics_filename(appointment), "text/calendar", ics)],
        clinic=appointment.clinic,
        patient_id=appointment.patient_id,
        dedupe_key=f"booking.{kind}:{appointment.pk}:{dedupe or appointment.sequence}",
    )


def staff_recipients(appointment: Appointment, held: list[Any]) -> list[str]:
    """The clinic's address and each clinician the appointment holds."""
    found = [appointment.clinic.email] if appointment.clinic.email else []
    for occupancy in held:
        resource = occupancy.resource
        if resource.kind == ResourceKind.CLINICIAN and resource.user and resource.user.email:
            found.append(resource.user.email)
    return list(dict.fromkeys(found))


def to_staff_new_booking(appointment: Appointment, base: str) -> None:
    """Tell the clinic and the clinician. No patient details: staff open the calendar for them."""
    with translation.override("en"):  # staff read English, whatever page the patient used
        _to_staff_new_booking(appointment, base)


def _to_staff_new_booking(appointment: Appointment, base: str) -> None:
    held = list(appointment.occupancies.select_related("resource__user").order_by("role_position"))
    zone = appointment.location.zone
    start = appointment.start.astimezone(zone)
    calendar_url = base + reverse("scheduling_staff:calendar") + f"?date={start:%Y-%m-%d}"
    context = {
        "service": appointment.service,
        "clinic": appointment.clinic,
        "when": when_label(appointment.start, zone),
        "source": appointment.get_source_display(),
        "mode": appointment.get_mode_display(),
        "resources": [o.resource.name for o in held],
        "detail_url": base + reverse("scheduling_staff:appointment", args=[appointment.pk]),
        "calendar_url": calendar_url,
    }
    for recipient in staff_recipients(appointment, held):
        digest = hashlib.sha256(recipient.encode()).hexdigest()[:12]
        queue_email(
            kind="booking.staff_new",
            to=recipient,
            subject=f"New booking: {appointment.service.name}, {day_label(start, zone)}"[:200],
            body_text=render_to_string("scheduling/email/staff_new.txt", context),
            clinic=appointment.clinic,
            dedupe_key=f"booking.staff_new:{appointment.pk}:{digest}",
        )
