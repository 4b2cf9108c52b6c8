"""Forms for imaging, discography and diagnostic blocks. Every message names the field."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from django import forms

from annulus.clinical.consent_gate import MESSAGES
from annulus.clinical.models import (
    SEDATION_CHOICES,
    AntibioticProphylaxis,
    BlockKind,
    DiagnosticInjection,
    LevelFinding,
    MRIStudy,
)
from annulus.clinical.vocab import LEVELS, Concordance, Contour, Stenosis
from annulus.consents.actions import valid_consent
from annulus.consents.models import ConsentKind
from annulus.patients.forms import YES_NO_UNKNOWN
from annulus.patients.models import Patient


def not_in_future(value: date | None, what: str) -> date | None:
    if value is not None and value > datetime.now(UTC).date():
        raise forms.ValidationError(f"The {what} cannot be in the future.")
    return value


def _blank_choices(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", "—"), *choices]


# (field, label, kind, extra) — the grid's columns, in the order Tab visits them.
GRID_COLUMNS: list[tuple[str, str, str, dict[str, Any]]] = [
    ("pfirrmann_grade", "Pfirrmann (1–5)", "int", {"min_value": 1, "max_value": 5}),
    ("disc_height_loss_percent", "Height loss %", "float", {"min_value": 0, "max_value": 100}),
    ("high_intensity_zone", "HIZ", "bool", {}),
    ("modic_type", "Modic (0–3)", "int", {"min_value": 0, "max_value": 3}),
    ("contour", "Contour", "choice", {"choices": Contour.choices}),
    ("protrusion_mm", "Protrusion mm", "float", {"min_value": 0, "max_value": 30}),
    ("stenosis", "Stenosis", "choice", {"choices": Stenosis.choices}),
    ("spondylolisthesis_grade", "Meyerding (0–5)", "int", {"min_value": 0, "max_value": 5}),
    ("spondylolysis", "Spondylolysis", "bool", {}),
    (
        "flexion_extension_translation_mm",
        "Translation mm",
        "float",
        {"min_value": 0, "max_value": 50},
    ),
    (
        "flexion_extension_angulation_degrees",
        "Angulation °",
        "float",
        {"min_value": 0, "max_value": 90},
    ),
]


def grid_name(level: str, field: str) -> str:
    return f"{level}__{field}"


def _grid_field(label: str, kind: str, extra: dict[str, Any]) -> forms.Field:
    if kind == "int":
        return forms.IntegerField(label=label, required=False, **extra)
    if kind == "float":
        return forms.FloatField(label=label, required=False, **extra)
    if kind == "bool":
        return forms.NullBooleanField(
            label=label, required=False, widget=forms.Select(choices=YES_NO_UNKNOWN)
        )
    return forms.ChoiceField(label=label, required=False, choices=_blank_choices(extra["choices"]))


class MRIStudyForm(forms.ModelForm[MRIStudy]):
    """The study and its grid of disc levels in one form, so one save keeps them consistent."""

    class Meta:
        model = MRIStudy
        fields = ["study_date", "report_reference", "scoliosis_cobb_degrees"]
        widgets = {"study_date": forms.DateInput(attrs={"type": "date"})}
        labels = {"scoliosis_cobb_degrees": "Scoliosis Cobb angle (°)"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        existing = {}
        if self.instance.pk:
            existing = {f.level: f for f in self.instance.levels.all()}
        for level in LEVELS:
            for name, label, kind, extra in GRID_COLUMNS:
                field = _grid_field(f"{level} {label}", kind, extra)
                if level in existing:
                    field.initial = getattr(existing[level], name)
                self.fields[grid_name(level, name)] = field

    def clean_study_date(self) -> date | None:
        return not_in_future(self.cleaned_data.get("study_date"), "study date")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for level in LEVELS:
            contour = data.get(grid_name(level, "contour"))
            size = data.get(grid_name(level, "protrusion_mm"))
            if size is not None and contour != Contour.PROTRUSION:
                self.add_error(
                    grid_name(level, "protrusion_mm"),
                    f"{level}: a protrusion size needs the contour set to protrusion.",
                )
        return data

    def rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (level, [self[grid_name(level, name)] for name, *_ in GRID_COLUMNS]) for level in LEVELS
        ]

    def level_values(self) -> dict[str, dict[str, Any]]:
        """Cleaned values per level, only for levels with at least one value."""
        values = {}
        for level in LEVELS:
            row = {name: self.cleaned_data.get(grid_name(level, name)) for name, *_ in GRID_COLUMNS}
            row = {k: (None if v == "" else v) for k, v in row.items()}
            if any(v is not None for v in row.values()):
                values[level] = row
        return values


class DiscographyForm(forms.Form):
    """One discography session: who, sedation and antibiotics, then a row per disc stimulated.

    A concordant disc needs its Dallas grade (protocol v2 reads the fissure grade), and the
    session is recorded only under the patient's signed discography consent.
    """

    performed_on = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": "Date: enter the date of the session.",
            "invalid": "Date: enter a real date, e.g. 2026-03-31.",
        },
    )
    operator: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Operator",
        queryset=None,
        empty_label="Choose the operator",
        error_messages={
            "required": "Operator: choose the clinician who did the discography.",
            "invalid_choice": "Operator: choose one of this clinic's clinicians.",
        },
    )
    sedation = forms.ChoiceField(
        label="Sedation",
        choices=[("", "Choose the sedation"), *SEDATION_CHOICES],
        error_messages={
            "required": "Sedation: choose the level of sedation.",
            "invalid_choice": "Sedation: choose one of the listed levels.",
        },
    )
    antibiotic_prophylaxis = forms.ChoiceField(
        label="Antibiotic prophylaxis",
        choices=[("", "Choose the antibiotic cover"), *AntibioticProphylaxis.choices],
        error_messages={
            "required": "Antibiotic prophylaxis: choose none, intravenous or intradiscal.",
            "invalid_choice": "Antibiotic prophylaxis: choose one of the listed options.",
        },
    )
    antibiotic_agent = forms.CharField(
        label="Antibiotic and dose",
        required=False,
        max_length=100,
        help_text="E.g. cefazolin 1 g IV. Required when an antibiotic was given.",
    )

    COLUMNS: list[tuple[str, str, str, dict[str, Any]]] = [
        ("concordance", "Response", "choice", {"choices": Concordance.choices}),
        ("opening_pressure_psi", "Opening psi", "float", {"min_value": 0, "max_value": 200}),
        (
            "pain_onset_psi_above_opening",
            "Onset psi above opening",
            "float",
            {"min_value": 0, "max_value": 200},
        ),
        (
            "peak_pressure_psi_above_opening",
            "Peak psi above opening",
            "float",
            {"min_value": 0, "max_value": 200},
        ),
        ("volume_ml", "Volume mL", "float", {"min_value": 0, "max_value": 10}),
        ("pain_intensity", "Pain (0–10)", "float", {"min_value": 0, "max_value": 10}),
        ("dallas_grade", "Dallas (0–5)", "int", {"min_value": 0, "max_value": 5}),
        ("epidural_extravasation", "Extravasation", "bool", {}),
    ]
    SESSION_FIELDS = ("operator", "sedation", "antibiotic_prophylaxis", "antibiotic_agent")

    def __init__(self, *args: Any, patient: Patient, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from annulus.clinical.treatment_forms import clinic_clinicians

        self.patient = patient
        operator = self.fields["operator"]
        assert isinstance(operator, forms.ModelChoiceField)
        operator.queryset = clinic_clinicians(patient.clinic)
        if user is not None and not self.is_bound and operator.queryset.filter(pk=user.pk).exists():
            self.initial["operator"] = user.pk
        for level in LEVELS:
            for name, label, kind, extra in self.COLUMNS:
                self.fields[grid_name(level, name)] = _grid_field(f"{level} {label}", kind, extra)

    def clean_performed_on(self) -> date | None:
        return not_in_future(self.cleaned_data.get("performed_on"), "discography date")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        stimulated = 0
        for level in LEVELS:
            row = {name: data.get(grid_name(level, name)) for name, *_ in self.COLUMNS}
            # Judge "filled" on what was typed: an invalid value still means the row was used.
            raw = [self.data.get(grid_name(level, name), "") for name, *_ in self.COLUMNS]
            if not any(str(v).strip() not in ("", "unknown") for v in raw):
                continue
            stimulated += 1
            self._check_row(level, row)
        if (
            data.get("antibiotic_prophylaxis") not in (None, "", AntibioticProphylaxis.NONE)
            and not (data.get("antibiotic_agent") or "").strip()
        ):
            self.add_error(
                "antibiotic_agent", "Antibiotic and dose: name the antibiotic and its dose."
            )
        if stimulated == 0 and not self.errors:
            raise forms.ValidationError("Fill in at least one disc level that was stimulated.")
        if valid_consent(self.patient, ConsentKind.DISCOGRAPHY) is None:
            raise forms.ValidationError(MESSAGES[ConsentKind.DISCOGRAPHY])
        return data

    def _check_row(self, level: str, row: dict[str, Any]) -> None:
        if not row["concordance"]:
            self.add_error(
                grid_name(level, "concordance"),
                f"{level}: choose the response (concordant, discordant or no pain).",
            )
        if row["concordance"] == Concordance.NONE and row["pain_onset_psi_above_opening"]:
            self.add_error(
                grid_name(level, "pain_onset_psi_above_opening"),
                f"{level}: leave the onset pressure empty when no pain was provoked.",
            )
        if (
            row["concordance"] == Concordance.CONCORDANT
            and row["dallas_grade"] is None
            and grid_name(level, "dallas_grade") not in self.errors
        ):
            self.add_error(
                grid_name(level, "dallas_grade"),
                f"{level}: enter the Dallas grade (0–5); a concordant disc needs its "
                "CT-discography fissure grade.",
            )
        onset, peak = row["pain_onset_psi_above_opening"], row["peak_pressure_psi_above_opening"]
        if onset is not None and peak is not None and peak < onset:
            self.add_error(
                grid_name(level, "peak_pressure_psi_above_opening"),
                f"{level}: the peak pressure cannot be below the pressure at pain onset.",
            )

    def rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (level, [self[grid_name(level, name)] for name, *_ in self.COLUMNS]) for level in LEVELS
        ]

    def session_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.SESSION_FIELDS]

    def session_values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data.get(name) for name in self.SESSION_FIELDS}
        values["antibiotic_agent"] = (values["antibiotic_agent"] or "").strip()
        return values

    def level_values(self) -> dict[str, dict[str, Any]]:
        values = {}
        for level in LEVELS:
            row = {n: self.cleaned_data.get(grid_name(level, n)) for n, *_ in self.COLUMNS}
            if any(v not in (None, "") for v in row.values()):
                values[level] = row
        return values


class InjectionForm(forms.ModelForm[DiagnosticInjection]):
    levels = forms.MultipleChoiceField(
        label="Levels",
        required=False,
        choices=[(lvl, lvl) for lvl in LEVELS],
        widget=forms.CheckboxSelectMultiple,
    )
    relief_percent = forms.IntegerField(label="Relief (%)", min_value=0, max_value=100)
    sustained_relief = forms.NullBooleanField(
        label="Relief lasted 3 months or more (epidural steroid only)",
        required=False,
        widget=forms.Select(choices=YES_NO_UNKNOWN),
    )

    class Meta:
        model = DiagnosticInjection
        fields = ["kind", "performed_on", "levels", "side", "relief_percent", "sustained_relief"]
        widgets = {"performed_on": forms.DateInput(attrs={"type": "date"})}
        labels = {"performed_on": "Date"}

    def clean_performed_on(self) -> date | None:
        return not_in_future(self.cleaned_data.get("performed_on"), "injection date")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == BlockKind.MEDIAL_BRANCH and not data.get("levels"):
            self.add_error("levels", "A medial branch block needs at least one level.")
        if kind == BlockKind.SI_JOINT and not data.get("side"):
            self.add_error("side", "Choose which SI joint was blocked.")
        if kind != BlockKind.EPIDURAL_STEROID and data.get("sustained_relief") is not None:
            self.add_error("sustained_relief", "Only recorded for epidural steroid injections.")
        return data


LEVEL_FINDING_FIELDS = [f.name for f in LevelFinding._meta.concrete_fields]
