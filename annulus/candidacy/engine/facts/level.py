"""Facts about one disc level: MRI and radiograph findings, prior procedures, its discogram."""

from __future__ import annotations

from collections.abc import Callable

from ..case import CONTOURS, STENOSIS_GRADES
from ..context import Context, Kind, Scope, Value
from ..discography import findings_for
from ..levels import Level, adjacent_levels
from .diagnostics import describe_disc
from .registry import LEVEL_FIELDS, PERCENT, add, number_text

__all__: list[str] = []

# ---------------------------------------------------------------- one disc level (level)


def _finding(field: str, kind: Kind, description: str, what: str, unit: str = "{}") -> None:
    def get(ctx: Context) -> Value:
        findings = ctx.findings
        return None if findings is None else getattr(findings, field)

    LEVEL_FIELDS[get] = field

    def todo(ctx: Context) -> tuple[str, ...]:
        if ctx.findings is None:
            return (f"MRI findings at {ctx.level}",)
        return (f"MRI at {ctx.level}: {what}",)

    choices = {"contour": CONTOURS, "stenosis": STENOSIS_GRADES}.get(field, ())
    add(f"level.{field}", Scope.LEVEL, kind, description, get, todo, choices=choices, unit=unit)


def _radiograph(field: str, description: str, what: str, unit: str) -> None:
    def get(ctx: Context) -> Value:
        findings = ctx.findings
        return None if findings is None else getattr(findings, field)

    LEVEL_FIELDS[get] = field

    def todo(ctx: Context) -> tuple[str, ...]:
        return (f"Flexion-extension radiographs at {ctx.level}: {what}",)

    add(f"level.{field}", Scope.LEVEL, Kind.NUMBER, description, get, todo, unit=unit)


add(
    "level",
    Scope.LEVEL,
    Kind.TEXT,
    "The disc level a level criterion is looking at, e.g. L4-L5.",
    lambda ctx: ctx.level,
    "Disc level",
)
add(
    "level.has_mri_findings",
    Scope.LEVEL,
    Kind.BOOLEAN,
    "The case has imaging findings for this level (never unknown).",
    lambda ctx: ctx.findings is not None,
    lambda ctx: (f"MRI findings at {ctx.level}",),
)
_finding("pfirrmann_grade", Kind.NUMBER, "Pfirrmann grade, 1-5.", "Pfirrmann grade")
_finding(
    "disc_height_loss_percent",
    Kind.NUMBER,
    "Disc height loss versus the adjacent normal disc, percent.",
    "disc height loss (%)",
    unit=PERCENT,
)
_finding("high_intensity_zone", Kind.BOOLEAN, "A high-intensity zone on T2.", "high-intensity zone")
_finding("modic_type", Kind.NUMBER, "Modic endplate change type, 0 (none) to 3.", "Modic type")
_finding(
    "contour",
    Kind.CHOICE,
    "normal, bulge, protrusion, extrusion or sequestration (Lumbar Disc Nomenclature 2.0).",
    "disc contour",
)
_finding(
    "protrusion_mm",
    Kind.NUMBER,
    "Size of a protrusion, mm.",
    "protrusion size in mm (needed for a protrusion)",
    unit="{} mm",
)
_finding(
    "stenosis",
    Kind.CHOICE,
    "Worst of central and foraminal stenosis: none, mild, moderate or severe.",
    "stenosis grade",
)
_finding(
    "spondylolisthesis_grade",
    Kind.NUMBER,
    "Meyerding grade, 0 (none) to 5.",
    "spondylolisthesis grade (Meyerding)",
)
_finding("spondylolysis", Kind.BOOLEAN, "Spondylolysis at the level.", "spondylolysis")
_radiograph(
    "flexion_extension_translation_mm",
    "Translation on flexion-extension radiographs, mm.",
    "translation (mm)",
    "{} mm",
)
_radiograph(
    "flexion_extension_angulation_degrees",
    "Angulation on flexion-extension radiographs, degrees.",
    "angulation (degrees)",
    "{}°",
)


def _contour_description(ctx: Context) -> Value:
    findings = ctx.findings
    contour = None if findings is None else findings.contour
    if contour is None:
        return "contour not recorded"
    if contour != "protrusion":
        return contour
    size = findings.protrusion_mm if findings is not None else None
    return (
        "protrusion of unrecorded size" if size is None else f"protrusion of {number_text(size)} mm"
    )


add(
    "level.contour_description",
    Scope.LEVEL,
    Kind.TEXT,
    "The contour in words with the protrusion size, for explanations.",
    _contour_description,
    lambda ctx: (f"MRI at {ctx.level}: disc contour",),
)


def _procedures(ctx: Context) -> list[tuple[str, Level, int | None]]:
    history = ctx.case.history
    procedures = [] if history is None else history.prior_spine_procedures or []
    # Each model's fields from its `__dict__`: one attribute read a procedure instead of three.
    fields = [p.__dict__ for p in procedures]
    return [(f["type"], f["level"], f["year"]) for f in fields]


def _prior(types: set[str], *, adjacent: bool) -> Callable[[Context], Value]:
    """Whether a prior procedure of `types` was done at this level (or next to it)."""

    def get(ctx: Context) -> Value:
        assert ctx.level is not None
        near = {ctx.level, *adjacent_levels(ctx.level)} if adjacent else {ctx.level}
        return any(kind in types and level in near for kind, level, _ in _procedures(ctx))

    return get


def _procedures_nearby(ctx: Context) -> Value:
    assert ctx.level is not None
    near = {ctx.level, *adjacent_levels(ctx.level)}
    items = [
        f"{kind.replace('_', ' ')} at {level}" + ("" if year is None else f" ({year})")
        for kind, level, year in _procedures(ctx)
        if level in near
    ]
    return "; ".join(items) if items else "none recorded"


_NO_HISTORY = "Prior spine procedures"
add(
    "level.prior_fusion_or_disc_replacement_at_or_adjacent",
    Scope.LEVEL,
    Kind.BOOLEAN,
    "A recorded fusion or disc replacement at this level or a neighbour (no list: none).",
    _prior({"fusion", "disc_replacement"}, adjacent=True),
    _NO_HISTORY,
)
add(
    "level.prior_intradiscal_at_level",
    Scope.LEVEL,
    Kind.BOOLEAN,
    "A recorded intradiscal procedure at this level.",
    _prior({"intradiscal"}, adjacent=False),
    _NO_HISTORY,
)
add(
    "level.prior_decompression_at_level",
    Scope.LEVEL,
    Kind.BOOLEAN,
    "A recorded discectomy or laminectomy at this level.",
    _prior({"discectomy", "laminectomy"}, adjacent=False),
    _NO_HISTORY,
)
add(
    "level.prior_procedures_nearby",
    Scope.LEVEL,
    Kind.TEXT,
    "Recorded procedures at this level and its neighbours, in words.",
    _procedures_nearby,
    _NO_HISTORY,
)


def _level_disc(field: str) -> Callable[[Context], Value]:
    def get(ctx: Context) -> Value:
        assert ctx.level is not None
        result = findings_for(ctx).result_at(ctx.level)
        return None if result is None else getattr(result.disc, field)

    return get


add(
    "level.epidural_extravasation",
    Scope.LEVEL,
    Kind.BOOLEAN,
    "The discogram at this level showed epidural extravasation.",
    _level_disc("epidural_extravasation"),
    lambda ctx: (f"Discogram at {ctx.level}: epidural extravasation",),
)
add(
    "level.pain_onset_psi_above_opening",
    Scope.LEVEL,
    Kind.NUMBER,
    "Pressure above opening at which the discogram at this level became painful, psi.",
    _level_disc("pain_onset_psi_above_opening"),
    lambda ctx: (f"Discogram at {ctx.level}: pressure above opening at pain onset (psi)",),
    unit="{} psi",
)
add(
    "level.dallas_grade",
    Scope.LEVEL,
    Kind.NUMBER,
    "The modified Dallas grade of the discogram at this level.",
    _level_disc("dallas_grade"),
    lambda ctx: (f"Discogram at {ctx.level}: Dallas grade",),
)


def _level_discogram(ctx: Context) -> Value:
    assert ctx.level is not None
    result = findings_for(ctx).result_at(ctx.level)
    return "no discogram" if result is None else describe_disc(result)


add(
    "level.discogram_summary",
    Scope.LEVEL,
    Kind.TEXT,
    "The discogram at this level in words, for explanations.",
    _level_discogram,
    lambda ctx: (f"Discogram at {ctx.level}",),
)
