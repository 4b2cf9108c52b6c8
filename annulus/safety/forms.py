"""The acknowledgement form and the patient's check-in form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from annulus.safety.models import AckAction
from annulus.safety.questions import QUESTIONS


class AcknowledgeForm(forms.Form):
    action = forms.ChoiceField(
        label="What did you do?",
        choices=[("", "Choose the action you took"), *AckAction.choices],
        error_messages={
            "required": "What did you do: choose the action you took.",
            "invalid_choice": "What did you do: choose one of the listed actions.",
        },
    )
    note = forms.CharField(
        label="Details",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required for “Other”. Facts and plans, e.g. who you spoke to.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == AckAction.OTHER and not (data.get("note") or "").strip():
            self.add_error("note", "Details: say what you did when you choose “Other”.")
        return data


class CheckInForm(forms.Form):
    """Five yes/no questions; each must be answered (no "not sure": a doubt is a yes)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for q in QUESTIONS:
            self.fields[q.id] = forms.ChoiceField(
                # The words live in questions (marked there); translated when the page renders.
                label=_(q.question),
                help_text=_(q.hint),
                choices=[("yes", _("Yes")), ("no", _("No"))],
                widget=forms.RadioSelect,
                error_messages={"required": _("Please answer yes or no to this question.")},
            )

    def answers(self) -> dict[str, bool]:
        return {q.id: self.cleaned_data[q.id] == "yes" for q in QUESTIONS}
