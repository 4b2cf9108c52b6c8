"""Staff forms of the front desk. Parsing only: the rules live in the actions, whose refusals
come back to the field they name."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from annulus.frontoffice.models import (
    NoteChannel,
    PayerType,
    PriceItem,
    ReferringDoctor,
    dollars,
)
from annulus.frontoffice.npi import npi_problem
from annulus.lib.validators import clean_phone


class DoctorForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    practice = forms.CharField(label="Practice", max_length=200, required=False)
    npi = forms.CharField(label="NPI", max_length=10, help_text="10 digits, with check digit.")
    email = forms.EmailField(label="Email", required=False)
    fax = forms.CharField(label="Fax number", max_length=40, required=False)

    def clean_npi(self) -> str:
        npi = "".join(str(self.cleaned_data["npi"]).split())
        problem = npi_problem(npi)
        if problem:
            raise forms.ValidationError(f"NPI: {problem}.")
        return npi

    def clean_fax(self) -> str:
        try:
            return clean_phone(self.cleaned_data.get("fax"))
        except ValueError as problem:
            raise forms.ValidationError(f"Fax number: {problem}.") from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("email") and not data.get("fax") and not self.errors:
            self.add_error("email", "Email or fax: enter at least one.")
        return data


class LinkDoctorForm(forms.Form):
    doctor = forms.ModelChoiceField(
        label="Referring doctor",
        queryset=ReferringDoctor.objects.none(),
        empty_label="Choose…",
        error_messages={"required": "Referring doctor: choose one."},
    )

    def __init__(self, *args: Any, clinic: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["doctor"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = ReferringDoctor.objects.filter(clinic=clinic)


class SendNoteForm(forms.Form):
    doctor = forms.ModelChoiceField(
        label="Send to", queryset=ReferringDoctor.objects.none(), empty_label="Choose…"
    )
    evaluation = forms.TypedChoiceField(label="Consult note", coerce=int)
    channel = forms.ChoiceField(
        label="Send by", choices=NoteChannel.choices, widget=forms.RadioSelect
    )
    fax_number = forms.CharField(
        label="Fax number", max_length=40, required=False, help_text="For a fax only."
    )
    faxed_on = forms.DateField(
        label="Faxed on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="For a fax only.",
    )

    def __init__(self, *args: Any, patient: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        doctor = self.fields["doctor"]
        assert isinstance(doctor, forms.ModelChoiceField)
        doctor.queryset = ReferringDoctor.objects.filter(patients__patient=patient)
        evaluation = self.fields["evaluation"]
        assert isinstance(evaluation, forms.TypedChoiceField)
        evaluation.choices = [
            (
                e.pk,
                f"Evaluation of {e.assessed_on:%d %b %Y} ({e.protocol_id} v{e.protocol_version})",
            )
            for e in patient.evaluations.all()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("channel") == NoteChannel.FAX:
            if not data.get("fax_number") and data.get("doctor") is not None:
                data["fax_number"] = data["doctor"].fax
            if not data.get("fax_number"):
                self.add_error("fax_number", "Fax number: enter the number the note was faxed to.")
            if data.get("faxed_on") is None:
                self.add_error("faxed_on", "Faxed on: enter the day the note was faxed.")
        return data


class CoverageForm(forms.Form):
    payer_type = forms.ChoiceField(label="Payer", choices=[("", "Choose…"), *PayerType.choices])
    payer_name = forms.CharField(
        label="Insurer or plan", max_length=120, required=False, help_text="Not for self-pay."
    )
    member_id = forms.CharField(label="Member id", max_length=60, required=False)
    group_number = forms.CharField(label="Group number", max_length=60, required=False)
    authorization_number = forms.CharField(
        label="Authorization number",
        max_length=60,
        required=False,
        help_text="The payer's prior authorization for the procedure, when it has one.",
    )
    va_authorization = forms.TypedChoiceField(
        label="VA authorization",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="VA Community Care only: the authorization recorded on the VA page.",
    )

    def __init__(self, *args: Any, patient: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["va_authorization"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "None")] + [
            (a.pk, f"{a.referral_number} · {a.seoc}") for a in patient.va_authorizations.all()
        ]


def parse_dollars(value: str) -> int:
    """ "1,250.50" or "$1250.5" -> 125050 cents; ValueError for anything else."""
    text = value.strip().replace(",", "").removeprefix("$")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(value) from None
    if amount != amount.quantize(Decimal("0.01")) or not amount.is_finite():
        raise ValueError(value)
    return int(amount * 100)


class PriceItemForm(forms.Form):
    code = forms.CharField(label="Service code", max_length=12, help_text="CPT or HCPCS.")
    description = forms.CharField(label="Description", max_length=200)
    amount = forms.CharField(label="Price (USD)", max_length=14, help_text="e.g. 1250.00")
    active = forms.BooleanField(label="On the price list", required=False, initial=True)

    def clean_amount(self) -> int:
        try:
            return parse_dollars(str(self.cleaned_data["amount"]))
        except ValueError:
            raise forms.ValidationError("Price: enter dollars and cents, like 1250.00.") from None


class EstimateForm(forms.Form):
    service_description = forms.CharField(
        label="Main service",
        max_length=200,
        initial="Intra-annular fibrin sealant injection, lumbar",
    )
    expected_service_date = forms.DateField(
        label="Expected date of service",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    diagnosis_codes = forms.CharField(
        label="Diagnosis codes (ICD-10)", max_length=100, required=False
    )
    provider_npi = forms.CharField(label="Provider NPI", max_length=10, required=False)
    provider_tin = forms.CharField(label="Provider TIN", max_length=10, required=False)

    def __init__(self, *args: Any, clinic: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.prices = list(PriceItem.objects.filter(clinic=clinic, active=True))
        for price in self.prices:
            self.fields[f"qty_{price.pk}"] = forms.IntegerField(
                label=f"{price.code} {price.description} ({dollars(price.amount_cents)} each)",
                min_value=0,
                max_value=20,
                initial=0,
                required=False,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                error_messages={"invalid": f"Quantity of {price.code}: a whole number, 0 to 20."},
            )

    def quantity_fields(self) -> list[Any]:
        return [self[f"qty_{p.pk}"] for p in self.prices]

    def quantities(self) -> dict[int, int]:
        return {p.pk: int(self.cleaned_data.get(f"qty_{p.pk}") or 0) for p in self.prices}
