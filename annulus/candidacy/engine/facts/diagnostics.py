"""Facts about diagnostic injections: facet and SI joint blocks, and provocative discography."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from ..case import CONCORDANCES, Case, MedialBranchBlock, SiJointBlock
from ..context import Context, Kind, Scope, Value
from ..discography import DiscResult, findings_for
from .registry import DISC_FIELDS, FACTS, NRS, PERCENT, add, number_text

__all__ = ["describe_disc"]

Block = TypeVar("Block", MedialBranchBlock, SiJointBlock)

# ---------------------------------------------------------------- diagnostic blocks (case)


def _latest(blocks: Iterable[Block]) -> Block | None:
    """The most recent block; on the same date, the one listed later."""
    ordered = list(blocks)
    if not ordered:
        return None
    return max(enumerate(ordered), key=lambda pair: (pair[1].date, pair[0]))[1]


def _mbbs(case: Case) -> list[MedialBranchBlock]:
    diagnostics = case.diagnostics
    return [] if diagnostics is None else list(diagnostics.medial_branch_blocks or ())


def _sijs(case: Case) -> list[SiJointBlock]:
    diagnostics = case.diagnostics
    return [] if diagnostics is None else list(diagnostics.si_joint_blocks or ())


def _latest_relief(blocks: Callable[[Case], list[Block]]) -> Callable[[Context], Value]:
    def get(ctx: Context) -> Value:
        latest = _latest(blocks(ctx.case))
        return None if latest is None else latest.relief_percent

    return get


def _not_indicated(ctx: Context) -> Value:
    diagnostics = ctx.case.diagnostics
    return None if diagnostics is None else diagnostics.facet_block_not_indicated


def _facet_summary(ctx: Context) -> Value:
    latest = _latest(_mbbs(ctx.case))
    if latest is not None:
        return (
            f"most recent medial branch block ({latest.date.isoformat()}, "
            f"{', '.join(latest.levels)}) gave {PERCENT.format(number_text(latest.relief_percent))}"
            " relief"
        )
    flag = _not_indicated(ctx)
    marked = (
        "not marked" if flag is None else "marked not indicated" if flag else "marked indicated"
    )
    return f"no medial branch block; facet block {marked}"


def _si_summary(ctx: Context) -> Value:
    latest = _latest(_sijs(ctx.case))
    if latest is None:
        return "no SI joint block"
    return (
        f"most recent SI joint block ({latest.date.isoformat()}) gave "
        f"{PERCENT.format(number_text(latest.relief_percent))} relief"
    )


add(
    "diagnostics.medial_branch_block_count",
    Scope.CASE,
    Kind.NUMBER,
    "Number of diagnostic medial branch blocks recorded (0 when none).",
    lambda ctx: len(_mbbs(ctx.case)),
    "Diagnostic medial branch blocks",
)
add(
    "diagnostics.latest_medial_branch_block_relief_percent",
    Scope.CASE,
    Kind.NUMBER,
    "Relief from the most recent medial branch block, percent; unknown when none was done.",
    _latest_relief(_mbbs),
    "Diagnostic medial branch block",
    unit=PERCENT,
)
add(
    "diagnostics.facet_block_not_indicated",
    Scope.CASE,
    Kind.BOOLEAN,
    "The physician judged facet pain unlikely and no facet block needed.",
    _not_indicated,
    "Whether a facet (medial branch) block is indicated",
)
add(
    "diagnostics.facet_summary",
    Scope.CASE,
    Kind.TEXT,
    "Medial branch blocks in words, for explanations.",
    _facet_summary,
    "Diagnostic medial branch block",
)
add(
    "diagnostics.si_joint_block_count",
    Scope.CASE,
    Kind.NUMBER,
    "Number of diagnostic SI joint blocks recorded (0 when none).",
    lambda ctx: len(_sijs(ctx.case)),
    "Diagnostic SI joint blocks",
)
add(
    "diagnostics.latest_si_joint_block_relief_percent",
    Scope.CASE,
    Kind.NUMBER,
    "Relief from the most recent SI joint block, percent; unknown when none was done.",
    _latest_relief(_sijs),
    "Diagnostic SI joint block",
    unit=PERCENT,
)
add(
    "diagnostics.si_joint_summary",
    Scope.CASE,
    Kind.TEXT,
    "SI joint blocks in words, for explanations.",
    _si_summary,
    "Diagnostic SI joint block",
)

# ---------------------------------------------------------------- discography (case)


def _positive_todo(ctx: Context) -> tuple[str, ...]:
    return findings_for(ctx).positive_todo()


_DESCRIPTIONS: dict[tuple[Value, ...], str] = {}
_DESCRIPTIONS_SIZE = 4096


def describe_disc(result: DiscResult) -> str:
    """One discogram in words with its verdict, remembered by the values it shows (a batch
    sees the same few levels, pressures and intensities again and again)."""
    # The model's fields from its `__dict__`: one pydantic attribute read instead of four (a
    # model defines `__getattr__`, so CPython cannot specialise `disc.level`).
    disc = result.disc.__dict__
    key = (
        disc["level"],
        disc["concordance"],
        disc["pain_intensity"],
        disc["pain_onset_psi_above_opening"],
        result.positive,
        result.negative_control,
    )
    text = _DESCRIPTIONS.get(key)
    if text is None:
        if len(_DESCRIPTIONS) >= _DESCRIPTIONS_SIZE:
            _DESCRIPTIONS.clear()
        text = _DESCRIPTIONS[key] = _describe(result)
    return text


def _describe(result: DiscResult) -> str:
    disc = result.disc
    if disc.concordance == "none":
        pain = "no pain"
    else:
        pain = (
            f"{disc.concordance or 'pain of unrecorded concordance'}"
            f" {_value('disc.pain_intensity', disc.pain_intensity)}"
            f" at {_value('disc.pain_onset_psi_above_opening', disc.pain_onset_psi_above_opening)}"
            " above opening"
        )
    if result.positive:
        verdict = "positive"
    elif result.negative_control:
        verdict = "negative control"
    elif result.positive is None or result.negative_control is None:
        verdict = "record incomplete"
    else:
        verdict = "neither positive nor a control"
    return f"{disc.level} {pain} ({verdict})"


def _value(name: str, value: Value) -> str:
    return FACTS[name].display(value)


def _summary(ctx: Context) -> Value:
    results = findings_for(ctx).results
    return "; ".join(describe_disc(r) for r in results) if results else "not done"


add(
    "discography.done",
    Scope.CASE,
    Kind.BOOLEAN,
    "Whether any disc was stimulated (never unknown).",
    lambda ctx: findings_for(ctx).done,
    "Provocative discography",
)
add(
    "discography.positive_level_found",
    Scope.CASE,
    Kind.BOOLEAN,
    "A disc met the protocol's positive rule; unknown before discography or while a record is "
    "incomplete and no level is positive yet.",
    lambda ctx: findings_for(ctx).positive_level_found(),
    _positive_todo,
)
add(
    "discography.positive_levels",
    Scope.CASE,
    Kind.LEVELS,
    "The levels known to be positive, cranial to caudal.",
    lambda ctx: findings_for(ctx).positive_levels,
    _positive_todo,
)
add(
    "discography.positive_level_count",
    Scope.CASE,
    Kind.NUMBER,
    "How many levels are positive; unknown before discography or with an incomplete record.",
    lambda ctx: findings_for(ctx).positive_level_count(),
    _positive_todo,
)
add(
    "discography.positive_levels_contiguous",
    Scope.CASE,
    Kind.BOOLEAN,
    "The positive levels form one unbroken run (true for one level).",
    lambda ctx: findings_for(ctx).positive_levels_contiguous(),
    _positive_todo,
)
add(
    "discography.adjacent_negative_control",
    Scope.CASE,
    Kind.BOOLEAN,
    "A disc next to a positive level met the negative-control rule; false when such discs were "
    "stimulated and none did; unknown when none was stimulated.",
    lambda ctx: findings_for(ctx).adjacent_negative_control(),
    lambda ctx: findings_for(ctx).adjacent_control_todo(),
)
add(
    "discography.adjacent_levels_stimulated",
    Scope.CASE,
    Kind.LEVELS,
    "Stimulated discs next to a positive level (not positive themselves).",
    lambda ctx: tuple(r.level for r in findings_for(ctx).adjacent_results()),
    _positive_todo,
)
add(
    "discography.adjacent_negative_controls",
    Scope.CASE,
    Kind.LEVELS,
    "Those of them that met the negative-control rule.",
    lambda ctx: tuple(r.level for r in findings_for(ctx).adjacent_results() if r.negative_control),
    _positive_todo,
)
add(
    "discography.summary",
    Scope.CASE,
    Kind.TEXT,
    "Every discogram in words with its verdict, for explanations.",
    _summary,
    "Provocative discography",
)

# ---------------------------------------------------------------- one discogram (disc)


def _disc_fact(field: str, kind: Kind, description: str, what: str, unit: str = "{}") -> None:
    def get(ctx: Context) -> Value:
        value: Value = getattr(ctx.disc, field)
        return value

    DISC_FIELDS[get] = field

    def todo(ctx: Context) -> tuple[str, ...]:
        return (f"Discogram at {ctx.level}: {what}",)

    choices = CONCORDANCES if kind is Kind.CHOICE else ()
    add(f"disc.{field}", Scope.DISC, kind, description, get, todo, choices=choices, unit=unit)


add(
    "disc.level",
    Scope.DISC,
    Kind.TEXT,
    "The stimulated level.",
    lambda ctx: ctx.level,
    "Discogram level",
)
_disc_fact(
    "concordance",
    Kind.CHOICE,
    "concordant, discordant or none (no pain provoked), versus the usual pain.",
    "whether the provoked pain was concordant",
)
_disc_fact(
    "pain_intensity",
    Kind.NUMBER,
    "Provoked pain, 0-10.",
    "provoked pain intensity (0-10)",
    unit=NRS,
)
_disc_fact(
    "pain_onset_psi_above_opening",
    Kind.NUMBER,
    "Pressure above opening pressure at which pain began, psi (absent when no pain).",
    "pressure above opening at pain onset (psi)",
    unit="{} psi",
)
_disc_fact(
    "opening_pressure_psi",
    Kind.NUMBER,
    "Opening pressure, psi.",
    "opening pressure (psi)",
    unit="{} psi",
)
_disc_fact(
    "dallas_grade",
    Kind.NUMBER,
    "CT-discogram annular fissure grade (modified Dallas), 0-5.",
    "Dallas grade",
)
_disc_fact(
    "epidural_extravasation",
    Kind.BOOLEAN,
    "Contrast leaked into the epidural space.",
    "epidural extravasation",
)
