"""Provocative discography: which stimulated discs are positive, which are negative controls.

The protocol says what positive and negative control mean (its `discogram:` section); this module
applies those rules to every discogram in the case, once, and answers the case-wide questions the
discography facts ask: was a positive level found, how many, are they contiguous, and is there a
negative control next to them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .case import Discogram
from .context import Condition, Context
from .levels import Level, adjacent_levels, are_contiguous, level_index

__all__ = ["DiscResult", "DiscographyFindings", "classify", "findings_for"]

NO_DISCOGRAPHY = "Provocative discography"


@dataclass(frozen=True, slots=True)
class DiscResult:
    """One stimulated disc under the protocol's rules (None: the discogram record is incomplete)."""

    disc: Discogram
    positive: bool | None
    negative_control: bool | None
    positive_todo: tuple[str, ...]
    control_todo: tuple[str, ...]
    level: Level  # the disc's (a field, not a property: the facts below read it often)


@dataclass(frozen=True, slots=True)
class DiscographyFindings:
    """All discograms of a case, classified, cranial to caudal.

    `positive_levels`: the levels known to be positive (an incomplete record is not counted);
    `undetermined`: the discograms whose record is too incomplete to tell; `adjacent`: the
    stimulated discs next to a positive level that are not positive themselves (three facts
    ask for them, so they are found once).
    """

    results: tuple[DiscResult, ...]
    positive_levels: tuple[Level, ...]
    undetermined: tuple[DiscResult, ...]
    adjacent: tuple[DiscResult, ...]

    @classmethod
    def of(cls, results: tuple[DiscResult, ...]) -> DiscographyFindings:
        positive = tuple(r.level for r in results if r.positive)
        near = {n for level in positive for n in adjacent_levels(level)}.difference(positive)
        return cls(
            results,
            positive,
            tuple(r for r in results if r.positive is None),
            tuple(r for r in results if r.level in near and r.positive is not True),
        )

    @property
    def done(self) -> bool:
        return bool(self.results)

    def positive_level_found(self) -> bool | None:
        if self.positive_levels:
            return True
        if not self.done or self.undetermined:
            return None
        return False

    def positive_level_count(self) -> int | None:
        if not self.done or self.undetermined:
            return None
        return len(self.positive_levels)

    def positive_levels_contiguous(self) -> bool | None:
        if self.positive_level_count() is None:
            return None
        return are_contiguous(self.positive_levels)

    def positive_todo(self) -> tuple[str, ...]:
        """What to obtain before the positive levels are known."""
        if not self.done:
            return (NO_DISCOGRAPHY,)
        return tuple(item for r in self.undetermined for item in r.positive_todo)

    def adjacent_results(self) -> tuple[DiscResult, ...]:
        """Stimulated discs next to a positive level that are not positive themselves."""
        return self.adjacent

    def adjacent_negative_control(self) -> bool | None:
        """Is a disc next to a positive level a negative control? None: not known yet."""
        if not self.positive_levels:
            return None
        adjacent = self.adjacent_results()
        if any(r.negative_control for r in adjacent):
            return True
        if not adjacent or any(r.negative_control is None for r in adjacent):
            return None
        return False

    def adjacent_control_todo(self) -> tuple[str, ...]:
        if not self.positive_levels:
            return self.positive_todo()
        adjacent = self.adjacent_results()
        if not adjacent:
            near = sorted(
                {n for level in self.positive_levels for n in adjacent_levels(level)}
                - set(self.positive_levels),
                key=level_index,
            )
            return (f"Discogram of an adjacent disc ({' or '.join(near)}) as a control",)
        return tuple(item for r in adjacent for item in r.control_todo)

    def result_at(self, level: Level) -> DiscResult | None:
        return next((r for r in self.results if r.level == level), None)


def classify(ctx: Context) -> DiscographyFindings:
    """Apply the protocol's discogram rules to every discogram of the case in `ctx`."""
    root = ctx.root
    diagnostics = root.case.diagnostics
    discs = sorted(
        (diagnostics.discography or []) if diagnostics is not None else [],
        key=lambda d: level_index(d.level),
    )
    results = []
    rules = root.rules
    for disc in discs:
        disc_ctx = root.child(disc.level, disc=disc)
        positive = rules.positive.test(disc_ctx)
        control = rules.negative_control.test(disc_ctx)
        results.append(
            DiscResult(
                disc=disc,
                positive=positive,
                negative_control=control,
                positive_todo=() if positive is not None else _todo(rules.positive, disc_ctx),
                control_todo=() if control is not None else _todo(rules.negative_control, disc_ctx),
                level=disc.level,
            )
        )
    return DiscographyFindings.of(tuple(results))


def findings_for(ctx: Context) -> DiscographyFindings:
    """The case's classified discography, computed once per evaluation."""
    root = ctx.parent or ctx  # `ctx.root`, without a property call (asked ~10 times a case)
    findings = root.discography
    if findings is None:
        findings = root.discography = classify(root)
    return findings


def _todo(condition: Condition, ctx: Context) -> tuple[str, ...]:
    """The to-do items for the unknown facts that leave `condition` open."""
    return tuple(item for fact in condition.unknown_facts(ctx) for item in fact.todo(ctx))
