from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from annulus.accounts.models import Clinic


class EmailLoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "That email and password do not match an active account. "
        "Check both and try again.",
        "inactive": "This account is switched off. Ask your clinic's administrator.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email"
        self.fields["username"].widget = forms.EmailInput(
            attrs={"autocomplete": "username", "autofocus": True}
        )
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"

    def clean_username(self) -> str:
        return str(self.cleaned_data.get("username", "")).strip().lower()


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Code",
        max_length=16,
        help_text="The 6-digit code from your authenticator app, or one of your backup codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self) -> str:
        token = "".join(str(self.cleaned_data["token"]).split()).lower()
        if not token.isalnum():
            raise forms.ValidationError("Enter only the letters and digits of the code.")
        return token


class ClinicForm(forms.ModelForm[Clinic]):
    timezone = forms.TypedChoiceField(
        label="Time zone",
        choices=[(z, z) for z in sorted(zoneinfo.available_timezones())],
    )
    social_links_text = forms.CharField(
        label="Social links",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line: label, then a space, then an https:// address.",
    )

    class Meta:
        model = Clinic
        fields = [
            "name",
            "address_line",
            "city",
            "region",
            "postal_code",
            "phone",
            "email",
            "on_call_email",
            "timezone",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        links = self.instance.social_links or []
        self.fields["social_links_text"].initial = "\n".join(
            f"{link['label']} {link['url']}" for link in links
        )

    def clean_social_links_text(self) -> list[dict[str, str]]:
        links = []
        for n, line in enumerate(self.cleaned_data["social_links_text"].splitlines(), start=1):
            if not line.strip():
                continue
            label, _, url = line.strip().rpartition(" ")
            if not label or not url.startswith("https://"):
                raise forms.ValidationError(
                    f"Line {n}: write a label, a space, then an address starting https://"
                )
            links.append({"label": label.strip(), "url": url})
        return links

    def save(self, commit: bool = True) -> Clinic:
        self.instance.social_links = self.cleaned_data["social_links_text"]
        return super().save(commit)
