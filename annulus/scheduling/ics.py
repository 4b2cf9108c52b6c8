"""The appointment as an iCalendar file, made with `icalendar`, its zone given as a VTIMEZONE.

Times are written in the location's zone (``DTSTART;TZID=America/Chicago:…``) with the zone's
rules included, so a calendar on a phone set to another zone still shows the right moment. The
file holds no patient details and no manage link: calendars sync to other companies' servers.
Its words are in the active language (the patient's, when an email attaches it).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.utils.translation import gettext as _

from annulus.scheduling.models import Appointment, Mode, Status

PRODID = "-//Annulus//Scheduling//EN"


def appointment_uid(appointment: Appointment) -> str:
    return f"appointment-{appointment.pk}@{appointment.clinic.slug}.annulus"


def appointment_ics(appointment: Appointment) -> bytes:
    # Imported here: icalendar is a few tenths of a CPU-second to import, and this module loads
    # with the booking actions (the API, the URLconf) in every process.
    from icalendar import Calendar, Event

    zone = appointment.location.zone
    start = appointment.start.astimezone(zone)
    cancelled = appointment.status == Status.CANCELLED
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", appointment_uid(appointment))
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", start)
    event.add("dtend", appointment.end.astimezone(zone))
    event.add("sequence", appointment.sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    clinic = appointment.clinic
    event.add("summary", f"{appointment.service.name} · {clinic.name}")
    if appointment.mode == Mode.TELEHEALTH:
        event.add("location", _("Video call: the clinic will send the link"))
    else:
        place = ", ".join(p for p in (appointment.location.name, appointment.location.address) if p)
        event.add("location", place)
    lines = [
        _("%(service)s at %(clinic)s.")
        % {"service": appointment.service.name, "clinic": clinic.name}
    ]
    if clinic.phone:
        lines.append(
            _("To change or cancel, use the link in your email or call %(phone)s.")
            % {"phone": clinic.phone}
        )
    event.add("description", " ".join(lines))
    calendar.add_component(event)
    # The zone's rules around the appointment's year: small, and enough for any calendar.
    calendar.add_missing_timezones(
        first_date=date(start.year - 1, 1, 1), last_date=date(start.year + 2, 1, 1)
    )
    return bytes(calendar.to_ical())


def ics_filename(appointment: Appointment) -> str:
    start = appointment.start.astimezone(appointment.location.zone)
    return f"appointment-{start:%Y-%m-%d-%H%M}.ics"
