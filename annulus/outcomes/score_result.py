"""What a score is: ``Score``, ``Band``, the scoring errors, and the helpers every rule builds on.

The rules themselves, and the missing-item policies they apply, are in ``scoring``; this module
holds only what they share, so that it stays a pure core like them (no Django).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TypeAlias

from annulus.outcomes.catalog import ChoiceItem, Instrument, ScoringRule, TScoreTable, ValueSet

Answers: TypeAlias = Mapping[str, int | None]
Clean: TypeAlias = dict[str, int | None]
Table: TypeAlias = TScoreTable | ValueSet | None


@dataclass(frozen=True)
class Band:
    code: str
    upper: float  # inclusive
    label: str


class ScoringError(ValueError):
    """The answers or the table cannot be scored as asked."""


class AnswerError(ScoringError):
    """Answers that do not fit the instrument. ``item_ids`` names the items at fault."""

    def __init__(self, instrument_id: str, problems: list[tuple[str, str]]) -> None:
        self.item_ids = tuple(item_id for item_id, _ in problems)
        self.problems = tuple(message for _, message in problems)
        super().__init__(f"{instrument_id}: " + "; ".join(self.problems))


class MissingLookupTable(ScoringError):
    """The instrument is scored through a table the clinic has not installed."""


@dataclass(frozen=True)
class Score:
    """A score, or ``value=None`` with the ``reason`` it could not be computed."""

    instrument_id: str
    instrument_version: str
    rule: ScoringRule
    value: float | None
    reason: str | None
    answered: int
    expected: int
    raw: int | None = None
    band: str | None = None
    interpretation: str | None = None
    profile: str | None = None

    def __post_init__(self) -> None:
        if (self.value is None) == (self.reason is None):
            raise ValueError("a Score has either a value or a reason why it has none")


def round_half_up(value: Fraction, places: int = 1) -> float:
    """Round half-up exactly (binary floats would turn 35.55 into 35.5)."""
    scale: int = 10**places
    return (value * scale + Fraction(1, 2)) // 1 / scale


def answered_values(answers: Clean) -> list[int]:
    return [value for value in answers.values() if value is not None]


def result(
    instrument: Instrument,
    answers: Clean,
    value: float | None,
    *,
    reason: str | None = None,
    raw: int | None = None,
    band: str | None = None,
    interpretation: str | None = None,
    profile: str | None = None,
) -> Score:
    return Score(
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        rule=instrument.scoring_rule,
        value=value,
        reason=reason,
        answered=len(answered_values(answers)),
        expected=len(answers),
        raw=raw,
        band=band,
        interpretation=interpretation,
        profile=profile,
    )


def all_answered(instrument: Instrument, answers: Clean) -> Score | None:
    """An unscored Score when any item is unanswered, else None."""
    missing = [item_id for item_id, value in answers.items() if value is None]
    if not missing:
        return None
    return result(
        instrument,
        answers,
        None,
        reason=f"every item must be answered; unanswered: {', '.join(missing)}",
    )


def single(instrument: Instrument, answers: Clean) -> tuple[Score | None, int]:
    unscored = all_answered(instrument, answers)
    (value,) = answers.values()
    return unscored, value or 0


def chosen_label(instrument: Instrument, value: int) -> str:
    (item,) = instrument.items
    assert isinstance(item, ChoiceItem)  # the catalog enforces each rule's item shape
    return next(option.label for option in item.options if option.value == value)


def require_table(instrument: Instrument, table: Table) -> None:
    if table is None:
        raise MissingLookupTable(
            f"{instrument.id}: no lookup table is installed; this instrument cannot be scored "
            "until the clinic installs one"
        )
