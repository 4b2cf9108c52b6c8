"""The clinical vocabulary, spelled exactly as the candidacy case-file spec spells it."""

from __future__ import annotations

from django.db import models

LEVELS = ("L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1")


class Level(models.TextChoices):
    L1_L2 = "L1-L2"
    L2_L3 = "L2-L3"
    L3_L4 = "L3-L4"
    L4_L5 = "L4-L5"
    L5_S1 = "L5-S1"


class Contour(models.TextChoices):
    NORMAL = "normal", "Normal"
    BULGE = "bulge", "Bulge"
    PROTRUSION = "protrusion", "Protrusion"
    EXTRUSION = "extrusion", "Extrusion"
    SEQUESTRATION = "sequestration", "Sequestration"


class Stenosis(models.TextChoices):
    NONE = "none", "None"
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"


class Concordance(models.TextChoices):
    CONCORDANT = "concordant", "Concordant"
    DISCORDANT = "discordant", "Discordant"
    NONE = "none", "No pain provoked"


class PriorProcedureType(models.TextChoices):
    DISCECTOMY = "discectomy", "Discectomy"
    LAMINECTOMY = "laminectomy", "Laminectomy"
    FUSION = "fusion", "Fusion"
    DISC_REPLACEMENT = "disc_replacement", "Disc replacement"
    INTRADISCAL = "intradiscal", "Intradiscal procedure"


class Alternative(models.TextChoices):
    FUSION = "fusion", "Fusion"
    CONSERVATIVE_CARE = "conservative_care", "Conservative care"
    RADICULAR_PAIN_CARE = "radicular_pain_care", "Radicular pain care"
    FACET_DIRECTED_CARE = "facet_directed_care", "Facet-directed care"
    SI_JOINT_CARE = "si_joint_care", "SI joint care"
    SPINE_SURGERY_CONSULT = "spine_surgery_consult", "Spine surgery consult"
    MULTIDISCIPLINARY_REVIEW = "multidisciplinary_review", "Multidisciplinary review"
    URGENT_MEDICAL_REVIEW = "urgent_medical_review", "Urgent medical review"
    OTHER = "other", "Other"
