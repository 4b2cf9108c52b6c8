"""Forms for the treatment record: the fibrin procedure and referrals elsewhere.

Adverse events and their grading have their own module, adverse_event_forms.

Every message names the field (or the disc level) at fault, so a clinician can fix it at once.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from annulus.accounts.models import Membership, Role, User
from annulus.clinical.consent_gate import MESSAGES
from annulus.clinical.forms import not_in_future
from annulus.clinical.models import AlternativeReferral, FibrinProcedure
from annulus.clinical.vocab import LEVELS, Alternative
from annulus.consents.actions import valid_consent
from annulus.consents.models import ConsentKind
from annulus.patients.models import Patient

MAX_ML_PER_LEVEL = 5.0
SEDATION_CHOICES: list[Any] = list(FibrinProcedure._meta.get_field("sedation").choices or [])
YES_NO = [("true", "Yes"), ("false", "No")]


def volume_name(level: str) -> str:
    return f"volume_ml__{level}"


def yes_no(label: str, required_message: str, help_text: str = "") -> forms.TypedChoiceField:
    """A required yes/no question: no default, so nobody records "no" by not looking."""
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=YES_NO,
        coerce=lambda value: value == "true",
        widget=forms.RadioSelect,
        error_messages={"required": required_message, "invalid_choice": required_message},
    )


def clinic_clinicians(clinic: Any) -> Any:
    ids = Membership.objects.filter(clinic=clinic, role=Role.CLINICIAN).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("full_name", "email")


class FibrinProcedureForm(forms.ModelForm[FibrinProcedure]):
    """One fibrin procedure: levels ticked, and a volume for exactly the levels ticked."""

    levels = forms.MultipleChoiceField(
        label="Levels treated",
        choices=[(level, level) for level in LEVELS],
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Levels treated: tick at least one disc level.",
            "invalid_choice": "Levels treated: %(value)s is not a lumbar disc level.",
        },
    )

    off_label = yes_no(
        "Off-label use",
        "Off-label use: answer yes or no.",
        "Yes when this use is outside the product's labelled indication (intradiscal or "
        "intra-annular injection of a fibrin sealant is).",
    )

    class Meta:
        model = FibrinProcedure
        fields = [
            "performed_on",
            "levels",
            "product",
            "manufacturer",
            "lot_number",
            "lot_expiry",
            "labelled_indication",
            "off_label",
            "guidance",
            "operator",
            "sedation",
            "immediate_complications",
        ]
        widgets = {
            "performed_on": forms.DateInput(attrs={"type": "date"}),
            "lot_expiry": forms.DateInput(attrs={"type": "date"}),
            "immediate_complications": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "performed_on": "Date of procedure",
            "product": "Product name",
            "lot_number": "Lot number",
            "lot_expiry": "Lot expiry date",
            "labelled_indication": "Labelled indication",
            "immediate_complications": "Immediate complications",
        }
        help_texts = {
            "product": "The fibrin sealant as labelled, e.g. its brand name and strength.",
            "manufacturer": "The company named on the label.",
            "lot_expiry": "From the product label. An expired lot cannot be recorded.",
            "labelled_indication": "What the label approves the product for, in its words.",
            "lot_number": "From the product label, for traceability.",
            "operator": "The clinician who performed the injection.",
            "immediate_complications": "During or straight after the procedure. Leave empty if "
            "there were none; later problems are recorded as adverse events.",
        }
        error_messages = {
            "performed_on": {
                "required": "Date of procedure: enter the date.",
                "invalid": "Date of procedure: enter a real date, e.g. 2026-03-31.",
            },
            "product": {
                "required": "Product name: enter the fibrin product used.",
                "max_length": "Product name: at most %(limit_value)d characters.",
            },
            "manufacturer": {
                "required": "Manufacturer: enter the manufacturer on the label.",
                "max_length": "Manufacturer: at most %(limit_value)d characters.",
            },
            "lot_expiry": {
                "required": "Lot expiry date: enter the expiry date from the label.",
                "invalid": "Lot expiry date: enter a real date, e.g. 2027-03-31.",
            },
            "labelled_indication": {
                "required": "Labelled indication: enter what the label approves it for.",
                "max_length": "Labelled indication: at most %(limit_value)d characters.",
            },
            "lot_number": {
                "required": "Lot number: enter the lot from the product label.",
                "max_length": "Lot number: at most %(limit_value)d characters.",
            },
            "operator": {
                "required": "Operator: choose the clinician who performed it.",
                "invalid_choice": "Operator: choose one of this clinic's clinicians.",
            },
            "sedation": {
                "required": "Sedation: choose the level of sedation.",
                "invalid_choice": "Sedation: choose one of the listed levels.",
            },
            "guidance": {
                "required": "Guidance: choose fluoroscopy or CT.",
                "invalid_choice": "Guidance: choose fluoroscopy or CT.",
            },
        }

    def __init__(self, *args: Any, patient: Patient, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        for name in ("manufacturer", "lot_expiry", "labelled_indication"):
            self.fields[name].required = True
        operator = self.fields["operator"]
        assert isinstance(operator, forms.ModelChoiceField)
        operator.queryset = clinic_clinicians(patient.clinic)
        operator.empty_label = "Choose the operator"
        sedation = self.fields["sedation"]
        assert isinstance(sedation, forms.ChoiceField)
        sedation.choices = [("", "Choose the sedation"), *SEDATION_CHOICES]
        # The person recording it is usually the operator, when they are a clinician.
        if (
            user is not None
            and not self.is_bound
            and self.instance.pk is None
            and operator.queryset.filter(pk=user.pk).exists()
        ):
            self.initial["operator"] = user.pk
        for level in LEVELS:
            field = forms.FloatField(
                label=f"{level} volume (mL)",
                required=False,
                error_messages={"invalid": f"{level} volume: enter a number of mL, e.g. 1.5."},
            )
            field.widget.attrs.update(
                {"inputmode": "decimal", "step": "0.1", "min": "0", "max": "5"}
            )
            existing = (self.instance.volume_ml_per_level or {}).get(level)
            if existing is not None:
                field.initial = existing
            self.fields[volume_name(level)] = field

    def clean_performed_on(self) -> date | None:
        return not_in_future(self.cleaned_data.get("performed_on"), "date of procedure")

    def clean_levels(self) -> list[str]:
        chosen = set(self.cleaned_data.get("levels") or [])
        return [level for level in LEVELS if level in chosen]  # cranial to caudal

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = set(data.get("levels") or [])
        volumes: dict[str, float] = {}
        for level in LEVELS:
            name = volume_name(level)
            if name in self.errors:
                continue
            value = data.get(name)
            if value is not None:
                value = round(value, 2)  # judged as stored: 0.001 mL is 0 mL
            if level in chosen and value is None:
                self.add_error(name, f"{level} volume: enter the mL injected at this level.")
            elif level not in chosen and value is not None:
                self.add_error(
                    name,
                    f"{level} volume: this level is not ticked as treated. "
                    "Tick the level or clear the volume.",
                )
            elif value is not None and value <= 0:
                self.add_error(name, f"{level} volume: must be more than 0 mL.")
            elif value is not None and value > MAX_ML_PER_LEVEL:
                self.add_error(name, f"{level} volume: at most {MAX_ML_PER_LEVEL:g} mL per level.")
            elif value is not None:
                volumes[level] = value
        data["volume_ml_per_level"] = volumes
        day, levels = data.get("performed_on"), data.get("levels")
        expiry = data.get("lot_expiry")
        if day and expiry and expiry < day:
            self.add_error(
                "lot_expiry",
                f"Lot expiry date: this lot expired on {expiry.day} {expiry:%b %Y}, before the "
                "procedure; an expired lot cannot be recorded.",
            )
        if valid_consent(self.patient, ConsentKind.FIBRIN_PROCEDURE) is None:
            self.add_error(None, MESSAGES[ConsentKind.FIBRIN_PROCEDURE])
        if day and levels and self._already_recorded(day, levels):
            self.add_error(
                "performed_on",
                f"Date of procedure: a procedure at {', '.join(levels)} on "
                f"{day.day} {day:%b %Y} is already recorded for this patient.",
            )
        return data

    def _already_recorded(self, day: date, levels: list[str]) -> bool:
        others = FibrinProcedure.objects.filter(
            patient=self.patient, performed_on=day, levels=levels
        )
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        return others.exists()

    def save(self, commit: bool = True) -> FibrinProcedure:
        self.instance.volume_ml_per_level = self.cleaned_data["volume_ml_per_level"]
        return super().save(commit)

    def level_rows(self) -> list[tuple[Any, forms.BoundField]]:
        """(checkbox, volume field) for each level, in the order Tab visits them."""
        boxes = list(self["levels"])
        return [(boxes[i], self[volume_name(level)]) for i, level in enumerate(LEVELS)]

    def volume_errors(self) -> list[str]:
        return [str(e) for level in LEVELS for e in self.errors.get(volume_name(level), [])]

    def detail_fields(self) -> list[forms.BoundField]:
        names = (
            "product",
            "manufacturer",
            "lot_number",
            "lot_expiry",
            "labelled_indication",
            "off_label",
            "guidance",
            "operator",
            "sedation",
        )
        return [self[name] for name in (*names, "immediate_complications")]


class AlternativeReferralForm(forms.ModelForm[AlternativeReferral]):
    class Meta:
        model = AlternativeReferral
        fields = ["alternative", "referred_on", "notes"]
        widgets = {
            "referred_on": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"alternative": "Referred for", "referred_on": "Date of referral"}
        help_texts = {"notes": "Where to, and why. Codes and facts, not the patient's words."}
        error_messages = {
            "alternative": {
                "required": "Referred for: choose the treatment.",
                "invalid_choice": "Referred for: choose one of the listed treatments.",
            },
            "referred_on": {
                "required": "Date of referral: enter the date.",
                "invalid": "Date of referral: enter a real date, e.g. 2026-03-31.",
            },
        }

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        alternative = self.fields["alternative"]
        assert isinstance(alternative, forms.ChoiceField)
        alternative.choices = [("", "Choose the treatment"), *Alternative.choices]

    def clean_referred_on(self) -> date | None:
        return not_in_future(self.cleaned_data.get("referred_on"), "date of referral")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        alternative, day = data.get("alternative"), data.get("referred_on")
        if (
            alternative
            and day
            and AlternativeReferral.objects.filter(
                patient=self.patient, alternative=alternative, referred_on=day
            ).exists()
        ):
            self.add_error(
                "referred_on",
                f"Date of referral: this referral on {day.day} {day:%b %Y} is already recorded.",
            )
        return data
