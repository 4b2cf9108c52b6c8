"""The referring doctor's public form. Messages name the field; files are checked by content."""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from annulus.documents.actions import DocumentRefused, check_upload
from annulus.documents.content import max_upload_bytes
from annulus.frontoffice.npi import npi_problem
from annulus.leads.forms import STARTED_SALT, min_fill_seconds, started_stamp
from annulus.lib.validators import clean_phone

MAX_ATTACHMENTS = 5
CONSENT_LABEL = (
    "The patient agreed to this referral, and to the clinic contacting them about it by email or "
    "phone."
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); each is checked alone."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _clean_phone(value: object, label: str) -> str:
    try:
        return clean_phone(value)
    except ValueError as problem:
        raise forms.ValidationError(f"{label}: {problem}.") from None


class ReferralForm(forms.Form):
    honeypot_name = "website"

    doctor_name = forms.CharField(
        label="Your name",
        max_length=200,
        error_messages={"required": "Your name: enter the referring doctor's name."},
    )
    practice = forms.CharField(label="Practice or clinic", max_length=200, required=False)
    npi = forms.CharField(
        label="Your NPI",
        max_length=10,
        help_text="Your 10-digit National Provider Identifier.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": "Your NPI: enter your 10-digit NPI."},
    )
    doctor_email = forms.EmailField(
        label="Your email",
        required=False,
        help_text="We send the consult note back as a secure link. Email or fax: at least one.",
        error_messages={"invalid": "Your email: enter an address like name@example.com."},
    )
    doctor_fax = forms.CharField(label="Your fax number", max_length=40, required=False)
    first_name = forms.CharField(
        label="Patient's first name",
        max_length=100,
        error_messages={"required": "Patient's first name: enter it."},
    )
    last_name = forms.CharField(
        label="Patient's last name",
        max_length=100,
        error_messages={"required": "Patient's last name: enter it."},
    )
    date_of_birth = forms.DateField(
        label="Patient's date of birth",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Patient's date of birth: enter a date like 1970-01-31."},
    )
    email = forms.EmailField(
        label="Patient's email",
        help_text="We write to the patient to arrange a first consultation.",
        error_messages={
            "required": "Patient's email: enter it, so we can contact the patient.",
            "invalid": "Patient's email: enter an address like name@example.com.",
        },
    )
    phone = forms.CharField(label="Patient's phone", max_length=40, required=False)
    reason = forms.CharField(
        label="Reason for referral",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The question you would like answered, and the relevant history.",
        error_messages={
            "required": "Reason for referral: say briefly why you are referring the patient.",
            "max_length": "Reason for referral: at most 2000 characters; attach a letter instead.",
        },
    )
    attachments = MultipleFileField(
        label="Letters or reports",
        required=False,
        widget=MultipleFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )
    consent = forms.BooleanField(
        label=CONSENT_LABEL,
        error_messages={"required": "Please confirm the patient agreed to the referral."},
    )
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_mb = max_upload_bytes() / 1_048_576
        self.fields["attachments"].help_text = (
            f"Optional: up to {MAX_ATTACHMENTS} PDF, PNG or JPEG files of at most "
            f"{limit_mb:.0f} MB each (MRI reports, your letter)."
        )
        if not self.is_bound:
            self.initial["started"] = started_stamp()
        self.spam_reason = ""

    def clean_npi(self) -> str:
        npi = "".join(str(self.cleaned_data["npi"]).split())
        problem = npi_problem(npi)
        if problem:
            raise forms.ValidationError(f"Your NPI: {problem}.")
        return npi

    def clean_doctor_fax(self) -> str:
        return _clean_phone(self.cleaned_data.get("doctor_fax"), "Your fax number")

    def clean_phone(self) -> str:
        return _clean_phone(self.cleaned_data.get("phone"), "Patient's phone")

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()

    def clean_date_of_birth(self) -> Any:
        born = self.cleaned_data.get("date_of_birth")
        if born is not None and born >= timezone.localdate():
            raise forms.ValidationError("Patient's date of birth: it must be in the past.")
        return born

    def clean_attachments(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data.get("attachments") or []
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(
                f"Letters or reports: at most {MAX_ATTACHMENTS} files; combine them into one PDF."
            )
        for upload in files:
            try:
                check_upload(upload)
            except DocumentRefused as exc:
                raise forms.ValidationError(
                    f"Letters or reports ({upload.name}): {exc.message}"
                ) from None
        return files

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("doctor_email") and not data.get("doctor_fax") and not self.errors:
            self.add_error(
                "doctor_email",
                "Your email or fax: enter at least one, so we can send the consult note back.",
            )
        self.spam_reason = spam_reason(data)
        return data


def spam_reason(data: dict[str, Any]) -> str:
    """The guide form's anti-bot checks: a filled honeypot, or a missing or too-fresh stamp."""
    if data.get("website"):
        return "honeypot"
    try:
        stamp = signing.loads(data.get("started") or "", salt=STARTED_SALT)
        elapsed = time.time() - float(stamp["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return "no_start_stamp"
    return "too_fast" if elapsed < min_fill_seconds() else ""
