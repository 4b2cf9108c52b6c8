"""The adverse-event form: what happened, its grading, and its link to a fibrin procedure.

The grading rules (seriousness, fatal outcome, resolution date, MedWatch) name the field at fault.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from annulus.clinical.forms import not_in_future
from annulus.clinical.models import AdverseEvent, FibrinProcedure
from annulus.clinical.treatment_forms import yes_no
from annulus.patients.models import Patient


class AdverseEventForm(forms.ModelForm[AdverseEvent]):
    related = yes_no(
        "Related to the fibrin procedure",
        "Related: answer yes or no.",
        "Yes if the procedure plausibly caused it. A related event needs its procedure linked.",
    )
    serious = yes_no(
        "Serious",
        "Serious: answer yes or no.",
        "Death, life-threatening, hospital admission or longer stay, lasting disability.",
    )

    class Meta:
        model = AdverseEvent
        fields = [
            "procedure",
            "onset_on",
            "description",
            "severity",
            "related",
            "procedure_relatedness",
            "product_relatedness",
            "serious",
            "discitis",
            "action_taken",
            "outcome",
            "resolved_on",
            "medwatch_reportable",
            "medwatch_reported_on",
        ]
        widgets = {
            "onset_on": forms.DateInput(attrs={"type": "date"}),
            "resolved_on": forms.DateInput(attrs={"type": "date"}),
            "medwatch_reported_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "procedure": "Linked procedure",
            "onset_on": "Date of onset",
            "discitis": "Discitis (disc infection) suspected or confirmed",
            "procedure_relatedness": "Related to the procedure: how likely",
            "product_relatedness": "Related to the product (fibrin sealant): how likely",
            "action_taken": "Action taken",
            "resolved_on": "Date resolved",
        }
        error_messages = {
            "onset_on": {
                "required": "Date of onset: enter the date.",
                "invalid": "Date of onset: enter a real date, e.g. 2026-03-31.",
            },
            "description": {"required": "Description: say what happened."},
            "procedure": {"invalid_choice": "Linked procedure: choose one of this patient's."},
        }

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["procedure"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = FibrinProcedure.objects.filter(patient=patient)
        field.empty_label = "Not linked to a procedure"
        field.required = False

    def clean_onset_on(self) -> date | None:
        return not_in_future(self.cleaned_data.get("onset_on"), "date of onset")

    def clean_resolved_on(self) -> date | None:
        return not_in_future(self.cleaned_data.get("resolved_on"), "date resolved")

    def clean_medwatch_reported_on(self) -> date | None:
        return not_in_future(self.cleaned_data.get("medwatch_reported_on"), "date reported")

    def _check_grading(self, data: dict[str, Any]) -> None:
        severity, onset, resolved = (
            data.get("severity"),
            data.get("onset_on"),
            data.get("resolved_on"),
        )
        if severity in ("life_threatening", "death") and data.get("serious") is False:
            self.add_error("serious", "Serious: a life-threatening or fatal event is serious.")
        if (
            (severity == "death") != (data.get("outcome") == "fatal")
            and severity
            and data.get("outcome")
        ):
            self.add_error("outcome", "Outcome: “Fatal” goes with the severity “Death”.")
        if resolved and onset and resolved < onset:
            self.add_error("resolved_on", "Date resolved: cannot be before the date of onset.")
        if data.get("medwatch_reported_on") and not data.get("medwatch_reportable"):
            self.add_error(
                "medwatch_reportable",
                "Reportable to FDA MedWatch: tick it when a report date is given.",
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        procedure, onset = data.get("procedure"), data.get("onset_on")
        if procedure is not None and onset is not None and onset < procedure.performed_on:
            self.add_error(
                "onset_on",
                f"Date of onset: cannot be before the linked procedure "
                f"({procedure.performed_on.day} {procedure.performed_on:%b %Y}).",
            )
        if data.get("related") is True and procedure is None and "procedure" not in self.errors:
            self.add_error(
                "procedure", "Linked procedure: choose the procedure this event is related to."
            )
        self._check_grading(data)
        return data
