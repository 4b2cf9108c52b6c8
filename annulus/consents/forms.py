"""Staff prepare a consent with its cost estimate; the patient signs it. Messages name the field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _

from annulus.consents.actions import EstimateItem
from annulus.consents.models import ConsentKind
from annulus.consents.texts import ConsentText

ESTIMATE_ROWS = 5


def label_name(i: int) -> str:
    return f"item_{i}_label"


def amount_name(i: int) -> str:
    return f"item_{i}_amount"


class PrepareConsentForm(forms.Form):
    kind = forms.ChoiceField(
        label="Consent for",
        choices=[("", "Choose the procedure"), *ConsentKind.choices],
        error_messages={
            "required": "Consent for: choose the procedure.",
            "invalid_choice": "Consent for: choose one of the listed procedures.",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(1, ESTIMATE_ROWS + 1):
            self.fields[label_name(i)] = forms.CharField(
                label=f"Item {i}", required=False, max_length=120
            )
            amount = forms.DecimalField(
                label=f"Item {i} amount",
                required=False,
                min_value=Decimal("0"),
                max_value=Decimal("999999.99"),
                decimal_places=2,
                error_messages={
                    "invalid": f"Item {i} amount: enter an amount, e.g. 1250.00.",
                    "min_value": f"Item {i} amount: cannot be negative.",
                    "max_value": f"Item {i} amount: at most 999999.99.",
                    "max_decimal_places": f"Item {i} amount: at most 2 decimal places.",
                    "max_digits": f"Item {i} amount: at most 999999.99.",
                },
            )
            amount.widget.attrs.update({"inputmode": "decimal"})
            self.fields[amount_name(i)] = amount

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        items = []
        for i in range(1, ESTIMATE_ROWS + 1):
            label = (data.get(label_name(i)) or "").strip()
            amount = data.get(amount_name(i))
            if amount_name(i) in self.errors:
                continue
            if label and amount is None:
                self.add_error(amount_name(i), f"Item {i} amount: enter the amount for {label}.")
            elif amount is not None and not label:
                self.add_error(label_name(i), f"Item {i}: say what the amount is for.")
            elif label and amount is not None:
                items.append(EstimateItem(label, amount))
        if not items and not self.errors:
            self.add_error(label_name(1), "Cost estimate: add at least one item with its amount.")
        data["estimate"] = items
        return data

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[label_name(i)], self[amount_name(i)]) for i in range(1, ESTIMATE_ROWS + 1)]


def statement_name(statement_id: str) -> str:
    return f"statement_{statement_id}"


def _plain_name(value: str) -> str:
    return " ".join(value.split()).casefold()


class SignatureForm(forms.Form):
    """Every statement ticked and the patient's name typed: nothing is pre-ticked."""

    def __init__(self, *args: Any, text: ConsentText, expected_name: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.text = text
        self.expected_name = expected_name
        # The error names the statement by its number: the summary at the top of the page then
        # stays short, and its link leads to the statement itself.
        for number, s in enumerate(text.statements, start=1):
            self.fields[statement_name(s.id)] = forms.BooleanField(
                label=s.text,
                required=True,
                error_messages={
                    "required": _("Statement %(number)s of %(count)s: tick it to sign.")
                    % {"number": number, "count": len(text.statements)}
                },
            )
        self.fields["typed_name"] = forms.CharField(
            label=_("Type your full name to sign"),
            max_length=200,
            help_text=_("Your first and last name, as the clinic has them."),
            error_messages={"required": _("Your full name: type it to sign.")},
        )
        self.fields["typed_name"].widget.attrs.update({"autocomplete": "name"})

    def clean_typed_name(self) -> str:
        name = " ".join(self.cleaned_data["typed_name"].split())
        if _plain_name(name) != _plain_name(self.expected_name):
            raise forms.ValidationError(
                _("Your full name: type your first and last name as the clinic has them.")
            )
        return name

    def accepted(self) -> list[str]:
        return [s.id for s in self.text.statements if self.cleaned_data.get(statement_name(s.id))]
