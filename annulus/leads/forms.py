"""The free-guide form (public) and the coordinators' forms. Messages name the field."""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from annulus.leads.models import HeardAbout, LeadStatus
from annulus.lib.validators import clean_phone

# The consent sentence is a record, not page text: each language's wording is its own version,
# fixed here rather than in the .po (where an edit would change what people agreed to without
# a new version). Change a wording only by adding a new version; a lead stores the one it saw.
CONSENT_WORDINGS: dict[str, tuple[str, str]] = {
    "en": (
        "guide-form-v1",
        "Email me the free guide, and let the clinic contact me about my enquiry. "
        "I can unsubscribe at any time.",
    ),
    "es": (
        "guide-form-es-v1",
        "Envíenme la guía gratuita por correo electrónico, y que la clínica se ponga en contacto "
        "conmigo sobre mi consulta. Puedo darme de baja en cualquier momento.",
    ),
}
CONSENT_WORDING_VERSION, CONSENT_LABEL = CONSENT_WORDINGS["en"]


def consent_wording(language: str | None = None) -> tuple[str, str]:
    """(version, sentence) of the consent shown in `language` (default: the active one)."""
    code = language or translation.get_language() or "en"
    return CONSENT_WORDINGS.get(code, CONSENT_WORDINGS["en"])


STARTED_SALT = "annulus.leads.guide-form-started"


def min_fill_seconds() -> float:
    """People take a few seconds to fill the form; scripts take none."""
    return float(getattr(settings, "ANNULUS_GUIDE_MIN_FILL_SECONDS", 3))


def started_stamp() -> str:
    return signing.dumps({"t": time.time()}, salt=STARTED_SALT)


class GuideRequestForm(forms.Form):
    honeypot_name = "website"

    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={
            "required": _("Enter your first name, so we know what to call you."),
            "max_length": _("First name: please use at most 100 characters."),
        },
    )
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("We send the guide here, as a PDF attachment."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
        error_messages={
            "required": _("Enter your email address, so we can send you the guide."),
            "invalid": _("Enter an email address in the form name@example.com."),
        },
    )
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=40,
        help_text=_("Only if you would like a call back."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel", "inputmode": "tel"}),
    )
    heard_about = forms.ChoiceField(
        label=_("How did you hear about us?"),
        required=False,
        choices=[("", _("Choose one, if you like")), *HeardAbout.choices],
        error_messages={"invalid_choice": _("How did you hear about us: choose one of the list.")},
    )
    consent = forms.BooleanField(
        label=CONSENT_LABEL,  # replaced in __init__ by the wording of the page's language
        help_text=_("We never share your details or send advertising."),
        error_messages={"required": _("Please tick the box so that we may email you the guide.")},
    )
    # Hidden from people; form-filling scripts tend to fill every field.
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["started"] = started_stamp()
        self.spam_reason = ""
        # What the person sees is what is recorded: the version goes with the label.
        self.consent_wording_version, self.fields["consent"].label = consent_wording()

    def clean_first_name(self) -> str:
        return " ".join(str(self.cleaned_data["first_name"]).split())

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()

    def clean_phone(self) -> str:
        try:
            return clean_phone(self.cleaned_data.get("phone"))
        except ValueError as problem:
            raise forms.ValidationError(
                _("Phone number: %(problem)s, or leave it empty.")
                % {"problem": gettext(str(problem))}
            ) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("website"):
            self.spam_reason = "honeypot"
        else:
            try:
                stamp = signing.loads(data.get("started") or "", salt=STARTED_SALT)
                elapsed = time.time() - float(stamp["t"])
            except (signing.BadSignature, KeyError, TypeError, ValueError):
                self.spam_reason = "no_start_stamp"
            else:
                if elapsed < min_fill_seconds():
                    self.spam_reason = "too_fast"
        return data


class LeadFilterForm(forms.Form):
    """The leads list's filters; invalid values are ignored rather than shown as errors."""

    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any"), *LeadStatus.choices]
    )
    heard_about = forms.ChoiceField(
        label="Heard about us", required=False, choices=[("", "Any"), *HeardAbout.choices]
    )
    contact = forms.ChoiceField(
        label="Contact",
        required=False,
        choices=[("", "Any"), ("ok", "May contact"), ("unsubscribed", "Unsubscribed")],
    )
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(label="Name or email", required=False, max_length=100)


class ConvertLeadForm(forms.Form):
    first_name = forms.CharField(label="First name", max_length=100)
    last_name = forms.CharField(
        label="Last name",
        max_length=100,
        error_messages={"required": "Last name: ask the person and enter it before converting."},
    )
    email = forms.EmailField(label="Email", required=False)
    phone = forms.CharField(label="Phone", required=False, max_length=40)
    veteran = forms.NullBooleanField(
        label="Veteran",
        required=False,
        widget=forms.NullBooleanSelect,
    )

    def clean_phone(self) -> str:
        try:
            return clean_phone(self.cleaned_data.get("phone"))
        except ValueError as problem:
            raise forms.ValidationError(f"Phone number: {problem}.") from None
