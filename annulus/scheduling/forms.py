"""Forms for the booking pages and the staff calendar. Messages name the field to fix."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from annulus.lib.validators import check_date_of_birth, clean_phone
from annulus.patients.models import Patient
from annulus.scheduling.models import Mode, Resource, Service


def parse_instant(value: str) -> datetime | None:
    """An ISO 8601 instant with its offset (as the time links carry), else None."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.utcoffset() is not None else None


def parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


class DetailsForm(forms.Form):
    """Who is coming. The hidden fields carry the chosen slot and the form's one-time token."""

    service = forms.SlugField(widget=forms.HiddenInput)
    start = forms.CharField(widget=forms.HiddenInput)
    resource = forms.SlugField(widget=forms.HiddenInput, required=False)
    form_token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        error_messages={"required": _("Enter your first name.")},
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=100,
        error_messages={"required": _("Enter your last name.")},
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    # Typed, not a date picker: scrolling a picker back decades is hard on a phone. Accepts
    # 04/23/1975 and 1975-04-23 (the en-us input formats).
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        help_text=_(
            "Month/day/year, for example 04/23/1975. We use it with your email to find your record."
        ),
        error_messages={
            "required": _("Enter your date of birth."),
            "invalid": _("Enter your date of birth as month/day/year, for example 04/23/1975."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "bday"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("We send your confirmation and reminders here."),
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address like name@example.com."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=40,
        required=False,
        help_text=_("In case we need to reach you about this appointment."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    mode = forms.ChoiceField(
        label=_("How would you like to meet?"),
        choices=Mode.choices,
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args: Any, service: Service | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if service is None or len(service.modes()) < 2:
            del self.fields["mode"]
        else:
            self.fields["mode"].required = True
            self.fields["mode"].error_messages["required"] = _("Choose in person or video call.")

    def clean_start(self) -> datetime:
        start = parse_instant(self.cleaned_data["start"])
        if start is None:
            raise ValidationError(_("This time could not be read. Please choose a time again."))
        return start

    def clean_date_of_birth(self) -> date:
        try:
            return check_date_of_birth(self.cleaned_data["date_of_birth"])
        except ValueError:
            raise ValidationError(
                _("Enter your real date of birth, for example 04/23/1975.")
            ) from None

    def clean_phone(self) -> str:
        try:
            return clean_phone(self.cleaned_data["phone"])
        except ValueError as problem:
            raise ValidationError(
                _("Enter a phone number: %(problem)s.") % {"problem": gettext(str(problem))}
            ) from None


class StaffAppointmentForm(forms.Form):
    """Staff book an existing patient, or move a booking: a local date and time, read in the
    location's zone by the view (never a naive datetime)."""

    service = forms.ModelChoiceField(queryset=Service.objects.none(), empty_label=None)
    patient = forms.ModelChoiceField(queryset=Patient.objects.none())
    day = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    at = forms.TimeField(label="Start time", widget=forms.TimeInput(attrs={"type": "time"}))
    resource = forms.ModelChoiceField(
        label="Clinician or lead resource",
        queryset=Resource.objects.none(),
        required=False,
        empty_label="First free, in order of preference",
        to_field_name="slug",
        error_messages={
            "invalid_choice": "Unknown clinician: choose a clinician or resource from the list."
        },
    )
    mode = forms.ChoiceField(choices=Mode.choices, initial=Mode.IN_PERSON)
    outside_hours = forms.BooleanField(
        label="Allow a time outside opening hours",
        required=False,
        help_text="The clinician, room and equipment must still be free.",
    )

    def __init__(self, *args: Any, clinic: Any, moving: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        querysets: dict[str, Any] = {
            "service": Service.objects.filter(clinic=clinic, active=True),
            "patient": Patient.objects.in_clinic(clinic),
            "resource": Resource.objects.filter(clinic=clinic, active=True),
        }
        for name, queryset in querysets.items():
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset
        if moving:
            for name in ("service", "patient", "mode"):
                del self.fields[name]


def local_instant(day: date, at: time, zone: Any) -> datetime | None:
    """The instant a wall-clock time names in `zone`; None when it does not exist that day
    (spring forward). A repeated hour resolves to its first pass, as the slot core does."""
    instant = datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
    back = instant.astimezone(zone)
    if (back.date(), back.time()) != (day, at):
        return None
    return instant


class CancelForm(forms.Form):
    reason = forms.ChoiceField(
        choices=[
            ("patient_request", "The patient asked"),
            ("clinician_unavailable", "Clinician unavailable"),
            ("clinical", "Clinical reason"),
            ("other", "Other"),
        ]
    )


class WaitlistJoinForm(DetailsForm):
    """Who is waiting: the booking form's details, without a chosen time.

    The service is not a field: the page writes its own hidden input with the chosen slug, and a
    second, empty one from the form came last in the POST, so the view read no service and sent
    the browser back to the start (found by test_waitlist_browser).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("service", "start", "resource", "form_token", "mode"):
            self.fields.pop(name, None)


class StaffWaitlistForm(forms.Form):
    service = forms.ModelChoiceField(queryset=Service.objects.none(), empty_label=None)
    patient = forms.ModelChoiceField(queryset=Patient.objects.none())

    def __init__(self, *args: Any, clinic: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in {
            "service": Service.objects.filter(clinic=clinic, active=True),
            "patient": Patient.objects.in_clinic(clinic),
        }.items():
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = queryset
