from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from annulus.accounts.models import Membership, Role, User
from annulus.lib.validators import check_date_of_birth, clean_phone
from annulus.patients.models import RED_FLAG_FIELDS, Intake, Patient, Stage
from annulus.screening.red_flags import RED_FLAGS

YES_NO_UNKNOWN = [("unknown", "Not known yet"), ("true", "Yes"), ("false", "No")]
PATIENT_YES_NO_UNKNOWN = [("unknown", _("Not known yet")), ("true", _("Yes")), ("false", _("No"))]
# The two free-text fields take their labels from the model; on the patient's form they read so.
PATIENT_LABELS = {"symptom_notes": _("Symptom notes"), "medications": _("Medications")}
STAFF_RED_FLAG_CHOICES = [("unknown", "Not asked yet"), ("true", "Yes"), ("false", "No")]


class TriStateField(forms.NullBooleanField):
    """Yes, no or not known yet; anything else is refused, never read as "not known"."""

    ACCEPTED = frozenset({None, True, False, "", "unknown", "true", "false", "True", "False"})

    def to_python(self, value: Any) -> bool | None:  # type: ignore[override]
        if value not in self.ACCEPTED:
            raise forms.ValidationError(
                _("%(label)s: choose yes, no or not known yet.") % {"label": self.label},
                code="invalid",
            )
        return super().to_python(value)


def tri_state(label: str, help_text: str = "") -> forms.NullBooleanField:
    return TriStateField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.Select(choices=YES_NO_UNKNOWN),
    )


def number(label: str, lo: float, hi: float | None = None, *, whole: bool = False) -> forms.Field:
    kwargs: dict[str, Any] = {"label": label, "required": False, "min_value": lo}
    if hi is not None:
        kwargs["max_value"] = hi
    field: forms.Field = forms.IntegerField(**kwargs) if whole else forms.FloatField(**kwargs)
    field.widget.attrs.update({"inputmode": "numeric" if whole else "decimal"})
    return field


def today_utc() -> Any:
    return datetime.now(UTC).date()


class PatientForm(forms.ModelForm[Patient]):
    veteran = tri_state("Veteran")

    class Meta:
        model = Patient
        fields = [
            "first_name",
            "last_name",
            "date_of_birth",
            "sex",
            "email",
            "phone",
            "preferred_contact",
            "language",
            "veteran",
            "stage",
            "clinician",
            "procedure_date",
        ]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}),
            "procedure_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, clinic: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Older forms and scripts that do not send it keep the record's language (English new).
        self.fields["language"].required = False
        clinician_ids = Membership.objects.filter(clinic=clinic, role=Role.CLINICIAN).values(
            "user_id"
        )
        field = self.fields["clinician"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(pk__in=clinician_ids).order_by("full_name")

    def clean_date_of_birth(self) -> Any:
        born = self.cleaned_data.get("date_of_birth")
        if born is not None:
            try:
                check_date_of_birth(born)
            except ValueError as problem:
                raise forms.ValidationError(f"The date of birth {problem}.") from None
        return born

    def clean_phone(self) -> str:
        try:
            return clean_phone(self.cleaned_data.get("phone"))
        except ValueError as problem:
            raise forms.ValidationError(f"Phone number: {problem}.") from None

    def clean_language(self) -> str:
        return str(self.cleaned_data.get("language") or self.instance.language or "en")


class PatientFilterForm(forms.Form):
    """The patient list's filters. A value that is not one of the choices is an error naming
    the field (the list then shows nobody), never silently dropped to show everyone."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=100,
        help_text="Name, email, phone, date of birth (YYYY-MM-DD or MM/DD/YYYY) or VA "
        "referral number",
        error_messages={"max_length": "Search: use at most 100 characters."},
    )
    stage = forms.ChoiceField(
        label="Stage",
        required=False,
        choices=[("", "Any stage"), *Stage.choices],
        error_messages={
            "invalid_choice": "Stage: “%(value)s” is not a stage. Choose one from the list."
        },
    )
    clinician = forms.TypedChoiceField(
        label="Clinician",
        required=False,
        coerce=int,
        error_messages={
            "invalid_choice": "Clinician: “%(value)s” is not a clinician of this clinic. "
            "Choose one from the list."
        },
    )

    def clean_q(self) -> str:
        from annulus.patients.search import BadTerm, check

        try:
            return check(self.cleaned_data["q"])
        except BadTerm as problem:
            raise forms.ValidationError(f"Search: {problem}") from None

    def __init__(self, *args: Any, clinic: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        clinicians = User.objects.filter(
            memberships__clinic=clinic, memberships__role=Role.CLINICIAN
        ).order_by("full_name")
        field = self.fields["clinician"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "Any clinician"), *[(u.pk, str(u)) for u in clinicians]]


class IntakeForm(forms.ModelForm[Intake]):
    """Intake in the engine's vocabulary. 'Not known yet' stays unknown, never 'no'."""

    back_pain_duration_months = number(
        gettext_noop("How long has the back pain lasted (months)?"), 0, 1200
    )
    back_pain_nrs = number(gettext_noop("Average low back pain, past 7 days (0–10)"), 0, 10)
    leg_pain_nrs = number(gettext_noop("Average leg pain, worst leg, past 7 days (0–10)"), 0, 10)
    leg_pain_below_knee = tri_state(gettext_noop("Does the leg pain go below the knee?"))
    radicular_signs = tri_state(
        "Radicular signs on examination", "Clinician: dermatomal deficit, reflex loss, positive SLR"
    )
    conservative_care_months = number(
        gettext_noop("Months of structured non-operative care"), 0, 1200
    )
    exercise_or_physical_therapy = tri_state(
        gettext_noop("Did that care include exercise or physical therapy?")
    )
    epidural_steroid_received = tri_state(gettext_noop("Had an epidural steroid injection?"))
    epidural_steroid_sustained_relief = tri_state(
        gettext_noop("Did its relief last 3 months or more?")
    )
    opioid_mme_per_day = number(
        gettext_noop("Opioids, morphine milligram equivalents per day"), 0, 2000
    )
    bleeding_disorder = tri_state(gettext_noop("Bleeding disorder"))
    fibrin_sealant_allergy = tri_state(gettext_noop("Allergy to fibrin sealant or aprotinin"))
    pregnant = tri_state(gettext_noop("Are you pregnant at the moment?"))
    anticoagulant_or_antiplatelet = tri_state(
        gettext_noop("Do you take a blood thinner (anticoagulant or antiplatelet medicine)?"),
        gettext_noop("For example warfarin, apixaban, rivaroxaban, clopidogrel, or aspirin alone."),
    )
    compensation_or_litigation = tri_state(
        gettext_noop(
            "Is there an open workers' compensation claim or a legal case about your back pain?"
        )
    )
    facet_block_not_indicated = tri_state(
        "Facet block not indicated", "Clinician: facet pain judged unlikely, no block needed"
    )
    odi = number("ODI at baseline (%)", 0, 100)
    rmdq = number("RMDQ at baseline (0–24)", 0, 24, whole=True)
    phq9 = number("PHQ-9 total (0–27)", 0, 27, whole=True)
    phq9_date = forms.DateField(
        label="PHQ-9 answered on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Protocol v2 reads a PHQ-9 from the 12 months before the assessment.",
    )
    consent_to_treatment_information = tri_state(
        gettext_noop("Agrees that the clinic stores and uses this information for their care")
    )

    class Meta:
        model = Intake
        fields = [
            "back_pain_duration_months",
            "back_pain_nrs",
            "leg_pain_nrs",
            "leg_pain_below_knee",
            "radicular_signs",
            "symptom_notes",
            *RED_FLAG_FIELDS,
            "conservative_care_months",
            "exercise_or_physical_therapy",
            "epidural_steroid_received",
            "epidural_steroid_sustained_relief",
            "medications",
            "opioid_mme_per_day",
            "bleeding_disorder",
            "fibrin_sealant_allergy",
            "pregnant",
            "anticoagulant_or_antiplatelet",
            "compensation_or_litigation",
            "facet_block_not_indicated",
            "odi",
            "rmdq",
            "phq9",
            "phq9_date",
            "consent_to_treatment_information",
        ]
        widgets = {
            "symptom_notes": forms.Textarea(attrs={"rows": 3}),
            "medications": forms.Textarea(attrs={"rows": 3}),
        }

    SECTIONS = (
        (
            gettext_noop("Symptoms"),
            [
                "back_pain_duration_months",
                "back_pain_nrs",
                "leg_pain_nrs",
                "leg_pain_below_knee",
                "radicular_signs",
                "symptom_notes",
            ],
        ),
        (gettext_noop("Warning signs"), list(RED_FLAG_FIELDS)),
        (
            gettext_noop("Care so far"),
            [
                "conservative_care_months",
                "exercise_or_physical_therapy",
                "epidural_steroid_received",
                "epidural_steroid_sustained_relief",
            ],
        ),
        (
            gettext_noop("Medicines and history"),
            [
                "medications",
                "opioid_mme_per_day",
                "bleeding_disorder",
                "fibrin_sealant_allergy",
                "pregnant",
                "anticoagulant_or_antiplatelet",
                "compensation_or_litigation",
                "facet_block_not_indicated",
            ],
        ),
        (
            gettext_noop("Questionnaires and consent"),
            ["odi", "rmdq", "phq9", "phq9_date", "consent_to_treatment_information"],
        ),
    )

    def __init__(self, *args: Any, patient_view: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        patient = getattr(self.instance, "patient", None) if self.instance.patient_id else None
        self.patient_sex = getattr(patient, "sex", "")
        # The same questions, word for word, as the public self-screen asks. On the patient's
        # own form a cauda-equina question needs a yes or a no: "not known" could hide an
        # emergency. Staff may still record that they have not asked yet.
        for flag in RED_FLAGS:
            field = tri_state(flag.question, flag.hint)
            if patient_view:
                # The patient's own words, translated on their pages (staff pages stay English).
                field.label, field.help_text = _(flag.question), _(flag.hint)
            if patient_view and flag.cauda_equina:
                field = forms.NullBooleanField(
                    label=_(flag.question),
                    help_text=_(flag.hint),
                    widget=forms.RadioSelect(choices=[(True, _("Yes")), (False, _("No"))]),
                )
                field.required = True
                field.error_messages["required"] = _("Please answer yes or no to this question.")
            elif not patient_view:
                field.widget = forms.Select(choices=STAFF_RED_FLAG_CHOICES)
            self.fields[flag.id] = field
        if patient_view:
            self._translate_for_the_patient()
            # Examination findings and clinical judgements are the clinician's to record.
            for name in (
                "radicular_signs",
                "facet_block_not_indicated",
                "odi",
                "rmdq",
                "phq9",
                "phq9_date",
            ):
                del self.fields[name]

    def _translate_for_the_patient(self) -> None:
        """The patient's own form speaks their page's language (issue #18); staff read English.

        The labels above are marked with gettext_noop, so they stay English in the class and
        are translated here, lazily, when the patient's page renders.
        """
        flags = {flag.id for flag in RED_FLAGS}
        for name, field in self.fields.items():
            if isinstance(field, TriStateField):
                field.widget.choices = PATIENT_YES_NO_UNKNOWN
            if name in flags:
                continue  # already in the patient's words, above
            if name in PATIENT_LABELS:
                field.label = PATIENT_LABELS[name]
            elif field.label:
                field.label = _(str(field.label))
            if field.help_text:
                field.help_text = _(str(field.help_text))

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (title, [self[name] for name in names if name in self.fields])
            for title, names in self.SECTIONS
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("phq9") is None) != (data.get("phq9_date") is None):
            missing = "phq9_date" if data.get("phq9_date") is None else "phq9"
            self.add_error(
                missing,
                "PHQ-9: enter both the total and the date it was answered, or neither.",
            )
        day = data.get("phq9_date")
        if day is not None and day > today_utc():
            self.add_error("phq9_date", "PHQ-9 answered on: the date cannot be in the future.")
        if data.get("pregnant") and self.patient_sex == "male":
            self.add_error(
                "pregnant",
                _("Pregnancy: the patient's record says male; check the answer or sex."),
            )
        for flag in RED_FLAGS:
            field = self.fields.get(flag.id)
            # NullBooleanField accepts a missing answer as None even when required.
            unanswered = field is not None and field.required and data.get(flag.id) is None
            if unanswered and flag.id not in self.errors:
                self.add_error(flag.id, _("Please answer yes or no to this question."))
        if data.get("epidural_steroid_received") is False and data.get(
            "epidural_steroid_sustained_relief"
        ):
            self.add_error(
                "epidural_steroid_sustained_relief",
                _("Relief from an epidural cannot be recorded when none was received."),
            )
        return data
