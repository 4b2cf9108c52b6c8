"""Per-level imaging, diagnostic injections, the fibrin procedure and what followed it.

Ranges are enforced twice on purpose: model validators give the form its message, and check
constraints keep an impossible value (a Pfirrmann grade of 7) out of the database whatever path
writes it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from annulus.clinical.vocab import (
    Alternative,
    Concordance,
    Contour,
    Level,
    PriorProcedureType,
    Stenosis,
)


def _range(lo: float, hi: float | None = None) -> list[Any]:
    validators: list[Any] = [MinValueValidator(lo)]
    if hi is not None:
        validators.append(MaxValueValidator(hi))
    return validators


def _between(field: str, lo: float, hi: float | None, name: str) -> models.CheckConstraint:
    condition = Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": lo})
    if hi is not None:
        condition = Q(**{f"{field}__isnull": True}) | Q(
            **{f"{field}__gte": lo, f"{field}__lte": hi}
        )
    return models.CheckConstraint(condition=condition, name=name)


class PatientOwned(models.Model):
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True


class MRIStudy(PatientOwned):
    study_date = models.DateField()
    report_reference = models.CharField(max_length=100, blank=True)
    scoliosis_cobb_degrees = models.FloatField(
        null=True, blank=True, validators=_range(0, 180), help_text="0 when there is no scoliosis"
    )

    class Meta:
        ordering = ["-study_date", "-id"]
        constraints = [_between("scoliosis_cobb_degrees", 0, 180, "mri_cobb_range")]

    def __str__(self) -> str:
        return f"MRI {self.study_date}"


class LevelFinding(models.Model):
    study = models.ForeignKey(MRIStudy, on_delete=models.CASCADE, related_name="levels")
    level = models.CharField(max_length=5, choices=Level.choices)
    pfirrmann_grade = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=_range(1, 5)
    )
    disc_height_loss_percent = models.FloatField(null=True, blank=True, validators=_range(0, 100))
    high_intensity_zone = models.BooleanField(null=True, blank=True)
    modic_type = models.PositiveSmallIntegerField(null=True, blank=True, validators=_range(0, 3))
    contour = models.CharField(max_length=14, choices=Contour.choices, blank=True)
    protrusion_mm = models.FloatField(null=True, blank=True, validators=_range(0, 30))
    stenosis = models.CharField(max_length=8, choices=Stenosis.choices, blank=True)
    spondylolisthesis_grade = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=_range(0, 5)
    )
    spondylolysis = models.BooleanField(null=True, blank=True)
    flexion_extension_translation_mm = models.FloatField(
        null=True, blank=True, validators=_range(0, 50)
    )
    flexion_extension_angulation_degrees = models.FloatField(
        null=True, blank=True, validators=_range(0, 90)
    )

    class Meta:
        ordering = ["study", "level"]
        constraints = [
            models.UniqueConstraint(fields=["study", "level"], name="finding_one_per_level"),
            _between("pfirrmann_grade", 1, 5, "finding_pfirrmann_range"),
            _between("disc_height_loss_percent", 0, 100, "finding_height_range"),
            _between("modic_type", 0, 3, "finding_modic_range"),
            _between("spondylolisthesis_grade", 0, 5, "finding_meyerding_range"),
            _between("protrusion_mm", 0, None, "finding_protrusion_positive"),
            _between("flexion_extension_translation_mm", 0, None, "finding_translation_positive"),
            _between("flexion_extension_angulation_degrees", 0, None, "finding_angle_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.level} findings"


SEDATION_CHOICES = [
    ("none", "None"),
    ("local", "Local only"),
    ("minimal", "Minimal"),
    ("moderate", "Moderate"),
]


class AntibioticProphylaxis(models.TextChoices):
    NONE = "none", "None"
    INTRAVENOUS = "intravenous", "Intravenous"
    INTRADISCAL = "intradiscal", "Intradiscal (mixed with the contrast)"
    BOTH = "both", "Intravenous and intradiscal"


class DiscographySession(PatientOwned):
    """One discography session: who did it, the sedation and antibiotic cover, the consent."""

    performed_on = models.DateField()
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="discography_sessions"
    )
    sedation = models.CharField(max_length=20, choices=SEDATION_CHOICES)
    antibiotic_prophylaxis = models.CharField(max_length=12, choices=AntibioticProphylaxis.choices)
    antibiotic_agent = models.CharField(
        max_length=100, blank=True, help_text="Drug and dose, e.g. cefazolin 1 g IV"
    )
    consent = models.ForeignKey(
        "consents.TreatmentConsent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The signed discography consent this session was done under.",
    )

    class Meta:
        ordering = ["-performed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "performed_on"], name="discography_session_once_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"Discography session {self.performed_on}"


class Discogram(PatientOwned):
    performed_on = models.DateField()
    level = models.CharField(max_length=5, choices=Level.choices)
    session = models.ForeignKey(
        DiscographySession,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="discs",
    )
    peak_pressure_psi_above_opening = models.FloatField(
        null=True, blank=True, validators=_range(0, 200)
    )
    volume_ml = models.FloatField(
        "Volume injected (mL)", null=True, blank=True, validators=_range(0, 10)
    )
    opening_pressure_psi = models.FloatField(null=True, blank=True, validators=_range(0, 200))
    pain_onset_psi_above_opening = models.FloatField(
        null=True, blank=True, validators=_range(0, 200), help_text="Leave empty when no pain."
    )
    pain_intensity = models.FloatField(null=True, blank=True, validators=_range(0, 10))
    concordance = models.CharField(max_length=10, choices=Concordance.choices)
    dallas_grade = models.PositiveSmallIntegerField(null=True, blank=True, validators=_range(0, 5))
    epidural_extravasation = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["-performed_on", "level"]
        constraints = [
            _between("pain_intensity", 0, 10, "discogram_intensity_range"),
            _between("dallas_grade", 0, 5, "discogram_dallas_range"),
            _between("opening_pressure_psi", 0, None, "discogram_opening_positive"),
            _between("pain_onset_psi_above_opening", 0, None, "discogram_onset_positive"),
            _between("peak_pressure_psi_above_opening", 0, None, "discogram_peak_positive"),
            _between("volume_ml", 0, 10, "discogram_volume_range"),
        ]

    def __str__(self) -> str:
        return f"Discogram {self.level} {self.performed_on}"


class BlockKind(models.TextChoices):
    MEDIAL_BRANCH = "medial_branch", "Medial branch block"
    SI_JOINT = "si_joint", "SI joint block"
    EPIDURAL_STEROID = "epidural_steroid", "Epidural steroid injection"


class DiagnosticInjection(PatientOwned):
    """Medial branch blocks, SI joint blocks and epidural steroid injections."""

    kind = models.CharField(max_length=20, choices=BlockKind.choices)
    performed_on = models.DateField()
    levels = models.JSONField(default=list, blank=True, help_text="Disc levels, e.g. L4-L5")
    side = models.CharField(
        max_length=10,
        blank=True,
        choices=[("left", "Left"), ("right", "Right"), ("bilateral", "Both sides")],
    )
    relief_percent = models.PositiveSmallIntegerField(validators=_range(0, 100))
    sustained_relief = models.BooleanField(
        null=True, blank=True, help_text="Epidural steroid: relief lasted 3 months or more."
    )

    class Meta:
        ordering = ["-performed_on", "-id"]
        constraints = [_between("relief_percent", 0, 100, "injection_relief_range")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.performed_on}"


class PriorSpineProcedure(PatientOwned):
    level = models.CharField(max_length=5, choices=Level.choices)
    type = models.CharField(max_length=20, choices=PriorProcedureType.choices)
    year = models.PositiveSmallIntegerField(null=True, blank=True, validators=_range(1900, 2100))

    class Meta:
        ordering = ["level", "id"]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.level}"


class FibrinProcedure(PatientOwned):
    performed_on = models.DateField()
    levels = models.JSONField(help_text="Treated levels, cranial to caudal")
    product = models.CharField(max_length=100)
    manufacturer = models.CharField(max_length=100, blank=True)
    lot_number = models.CharField(max_length=60)
    lot_expiry = models.DateField(null=True, blank=True)
    labelled_indication = models.CharField(
        max_length=200, blank=True, help_text="What the product's label approves it for"
    )
    off_label = models.BooleanField(
        null=True, blank=True, help_text="Used outside its labelled indication"
    )
    consent = models.ForeignKey(
        "consents.TreatmentConsent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The signed consent the procedure was done under.",
    )
    # {"L4-L5": 2.0} — volume injected per level, in mL
    volume_ml_per_level = models.JSONField(default=dict)
    guidance = models.CharField(
        max_length=20, choices=[("fluoroscopy", "Fluoroscopy"), ("ct", "CT")], default="fluoroscopy"
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="procedures"
    )
    sedation = models.CharField(max_length=20, choices=SEDATION_CHOICES)
    immediate_complications = models.TextField(blank=True)

    class Meta:
        ordering = ["-performed_on", "-id"]
        constraints = [
            # The same levels treated twice on one day is a duplicate entry (a form sent twice),
            # not a second procedure. `levels` is stored in canonical cranial-to-caudal order.
            models.UniqueConstraint(
                fields=["patient", "performed_on", "levels"], name="fibrin_procedure_once_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"Fibrin {', '.join(self.levels)} {self.performed_on}"


class AESeverity(models.TextChoices):
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"
    LIFE_THREATENING = "life_threatening", "Life-threatening"
    DEATH = "death", "Death"


class Relatedness(models.TextChoices):
    NOT_RELATED = "not_related", "Not related"
    UNLIKELY = "unlikely", "Unlikely"
    POSSIBLE = "possible", "Possible"
    PROBABLE = "probable", "Probable"
    DEFINITE = "definite", "Definite"


class AEAction(models.TextChoices):
    NONE = "none", "None"
    MEDICINE = "medicine", "Treated with medicine"
    HOSPITAL = "hospital", "Admitted to hospital"
    PROCEDURE = "procedure", "Procedure or surgery"
    OTHER = "other", "Other"


class AEOutcome(models.TextChoices):
    RECOVERED = "recovered", "Recovered"
    RECOVERING = "recovering", "Recovering"
    NOT_RECOVERED = "not_recovered", "Not recovered"
    SEQUELAE = "sequelae", "Recovered with lasting effects"
    FATAL = "fatal", "Fatal"
    UNKNOWN = "unknown", "Unknown"


class AdverseEvent(PatientOwned):
    procedure = models.ForeignKey(
        FibrinProcedure, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    onset_on = models.DateField()
    description = models.TextField()
    related = models.BooleanField(help_text="Related to the procedure")
    serious = models.BooleanField(
        help_text="FDA definition (21 CFR 312.32): death, life-threatening, hospital admission "
        "or a longer stay, lasting or significant disability, a birth defect, or an important "
        "medical event needing treatment to prevent one of these."
    )
    discitis = models.BooleanField(default=False)
    # Additions (blank on events recorded before they existed).
    severity = models.CharField(max_length=20, choices=AESeverity.choices, blank=True)
    procedure_relatedness = models.CharField(max_length=12, choices=Relatedness.choices, blank=True)
    product_relatedness = models.CharField(max_length=12, choices=Relatedness.choices, blank=True)
    action_taken = models.CharField(max_length=12, choices=AEAction.choices, blank=True)
    outcome = models.CharField(max_length=16, choices=AEOutcome.choices, blank=True)
    resolved_on = models.DateField(null=True, blank=True)
    medwatch_reportable = models.BooleanField(
        "Reportable to FDA MedWatch", default=False, help_text="A serious, related event."
    )
    medwatch_reported_on = models.DateField("Reported to MedWatch on", null=True, blank=True)

    class Meta:
        ordering = ["-onset_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=models.F("onset_on")),
                name="ae_resolved_after_onset",
            ),
            models.CheckConstraint(
                condition=Q(medwatch_reported_on__isnull=True) | Q(medwatch_reportable=True),
                name="ae_reported_only_if_reportable",
            ),
        ]

    def __str__(self) -> str:
        return f"Adverse event {self.onset_on}"


class AlternativeReferral(PatientOwned):
    """A patient referred to another treatment: that arm is followed on the same survey plan."""

    alternative = models.CharField(max_length=30, choices=Alternative.choices)
    referred_on = models.DateField()
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["-referred_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "alternative", "referred_on"], name="referral_once_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_alternative_display()} {self.referred_on}"
