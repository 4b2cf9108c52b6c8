"""Forms for running a protocol, reviewing its decision and filtering override rates.

Every message names the field it is about.
"""

from __future__ import annotations

from typing import Any

from django import forms

from annulus.candidacy.clinic_protocol import clinic_protocol
from annulus.candidacy.engine import (
    DEFAULT_PROTOCOL,
    OUTCOMES,
    Protocol,
    UnknownProtocolError,
    list_protocols,
    load_protocol,
)
from annulus.candidacy.models import URGENT_OVERRIDE_REASONS, Evaluation, OverrideReason
from annulus.candidacy.presenters import OUTCOME_LABELS, criterion_choices


def protocol_key(protocol: Protocol) -> str:
    return f"{protocol.id}@{protocol.version}"


def protocol_choices() -> list[tuple[str, str]]:
    return [(protocol_key(p), f"{p.id} v{p.version}: {p.title}") for p in list_protocols()]


def default_protocol_key() -> str:
    return protocol_key(load_protocol(DEFAULT_PROTOCOL))


class RunProtocolForm(forms.Form):
    protocol = forms.ChoiceField(
        label="Protocol",
        error_messages={
            "required": "Protocol: choose the protocol to run.",
            "invalid_choice": "Protocol: %(value)s is not a released protocol. Choose one from "
            "the list.",
        },
    )

    def __init__(self, *args: Any, clinic: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["protocol"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = protocol_choices()
        # The clinic's chosen protocol (the director's setting), else the newest default.
        field.initial = (
            protocol_key(clinic_protocol(clinic)) if clinic is not None else default_protocol_key()
        )

    def clean_protocol(self) -> Protocol:
        protocol_id, _, version = self.cleaned_data["protocol"].partition("@")
        try:
            return load_protocol(protocol_id, int(version))
        except (UnknownProtocolError, ValueError):  # a file removed since the page was drawn
            raise forms.ValidationError("Protocol: that protocol is no longer released.") from None


class OverrideForm(forms.Form):
    """The clinician decides otherwise: why (coded and in words), what, and which criteria."""

    reason = forms.ChoiceField(
        label="Reason for the override",
        choices=[("", "Choose a reason…"), *OverrideReason.choices],
        error_messages={
            "required": "Reason for the override: choose one.",
            "invalid_choice": "Reason for the override: choose one from the list.",
        },
    )
    outcome = forms.ChoiceField(
        label="Your decision",
        choices=[("", "Choose the outcome…"), *((o, OUTCOME_LABELS[o]) for o in OUTCOMES)],
        error_messages={
            "required": "Your decision: choose the outcome you decide on instead.",
            "invalid_choice": "Your decision: choose one of the four outcomes.",
        },
    )
    criteria = forms.MultipleChoiceField(
        label="Criteria you disagree with",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Criteria you disagree with: %(value)s was not judged in this "
            "evaluation.",
        },
    )
    confirm_passed = forms.BooleanField(
        label="Yes, I dispute a criterion the patient passed, and none that failed",
        required=False,
        help_text="Asked when the criteria you tick all passed while another one failed.",
    )
    note = forms.CharField(
        label="Explanation",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required when the reason is “Other”. Kept in the record and the consult note.",
        error_messages={"max_length": "Explanation: keep it under %(limit_value)d characters."},
    )

    def __init__(self, *args: Any, evaluation: Evaluation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.evaluation = evaluation
        field = self.fields["criteria"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = criterion_choices(evaluation)
        if evaluation.outcome == "urgent_referral":
            reason = self.fields["reason"]
            assert isinstance(reason, forms.ChoiceField)
            reason.choices = [
                ("", "Choose a reason…"),
                *(
                    (v, label)
                    for v, label in OverrideReason.choices
                    if v in URGENT_OVERRIDE_REASONS
                ),
            ]
            reason.help_text = (
                "An urgent referral can be overridden only when the red flag was entered in "
                "error or new information shows it is absent, and a second clinician must "
                "co-sign before the override takes effect."
            )
            reason.error_messages["invalid_choice"] = (
                "Reason for the override: an urgent referral can be overridden only for a data "
                "entry error or new information."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("reason") == OverrideReason.OTHER and not data.get("note", "").strip():
            self.add_error("note", "Explanation: say why, since the reason is “Other”.")
        self._check_disputed(data)
        outcome = data.get("outcome")
        if outcome and outcome == self.evaluation.outcome and not data.get("criteria"):
            self.add_error(
                "criteria",
                "Criteria you disagree with: your decision is the protocol's outcome, so tick "
                "the criteria you disagree with (or accept the decision instead).",
            )
        return data

    def _check_disputed(self, data: dict[str, Any]) -> None:
        """Disputing only passed criteria while a failing one goes unmentioned needs a confirm."""
        chosen = set(data.get("criteria") or [])
        if not chosen or data.get("confirm_passed"):
            return
        statuses: dict[str, set[str]] = {}
        for c in self.evaluation.decision.get("criteria", []):
            statuses.setdefault(c["id"], set()).add(c["status"])
        failing = {cid for cid, seen in statuses.items() if "fail" in seen}
        all_passed = all(statuses.get(cid) == {"pass"} for cid in chosen)
        if failing and all_passed and not (chosen & failing):
            self.add_error(
                "confirm_passed",
                "Confirm: every criterion you ticked passed, while another one failed and is not "
                "ticked. Tick the failing criterion you disagree with, or confirm.",
            )


class OverrideRatesFilter(forms.Form):
    protocol = forms.ChoiceField(
        label="Protocol",
        required=False,
        error_messages={"invalid_choice": "Protocol: %(value)s is not a released protocol."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        protocols = list_protocols()
        ids = sorted({p.id for p in protocols})
        field = self.fields["protocol"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", "All protocols"),
            *((pid, f"{pid}, every version") for pid in ids),
            *((protocol_key(p), f"{p.id}, version {p.version}") for p in protocols),
        ]

    def selection(self) -> tuple[str | None, int | None]:
        """(protocol id, version) to filter on; None means any."""
        if not self.is_valid() or not self.cleaned_data.get("protocol"):
            return None, None
        protocol_id, _, version = self.cleaned_data["protocol"].partition("@")
        return protocol_id, int(version) if version else None


class ClinicProtocolForm(forms.Form):
    """The clinical director chooses the protocol version the clinic evaluates with."""

    protocol = forms.ChoiceField(
        label="Protocol the clinic uses",
        error_messages={
            "required": "Protocol the clinic uses: choose one.",
            "invalid_choice": "Protocol the clinic uses: %(value)s is not a released protocol.",
        },
    )

    def __init__(self, *args: Any, clinic: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["protocol"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = protocol_choices()
        field.initial = protocol_key(clinic_protocol(clinic))
