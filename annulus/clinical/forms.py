"""Forms for imaging, discography and diagnostic blocks. Every message names the field."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from django import forms

from annulus.clinical.models import BlockKind, DiagnosticInjection, LevelFinding, MRIStudy
from annulus.clinical.vocab import LEVELS, Concordance, Contour, Stenosis
from annulus.patients.forms import YES_NO_UNKNOWN


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
    """One discography session: a row per disc level stimulated."""

    performed_on = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))

    COLUMNS: list[tuple[str, str, str, dict[str, Any]]] = [
        ("concordance", "Response", "choice", {"choices": Concordance.choices}),
        ("opening_pressure_psi", "Opening psi", "float", {"min_value": 0, "max_value": 200}),
        (
            "pain_onset_psi_above_opening",
            "Onset psi above opening",
            "float",
            {"min_value": 0, "max_value": 200},
        ),
        ("pain_intensity", "Pain (0–10)", "float", {"min_value": 0, "max_value": 10}),
        ("dallas_grade", "Dallas (0–5)", "int", {"min_value": 0, "max_value": 5}),
        ("epidural_extravasation", "Extravasation", "bool", {}),
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
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
        if stimulated == 0 and not self.errors:
            raise forms.ValidationError("Fill in at least one disc level that was stimulated.")
        return data

    def rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (level, [self[grid_name(level, name)] for name, *_ in self.COLUMNS]) for level in LEVELS
        ]

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
