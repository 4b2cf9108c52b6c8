"""Scoring: one pure function per scoring rule id, and ``score(instrument, answers)``.

Answers map item ids to the chosen value; ``None`` (or leaving the item out) means unanswered.
``score`` first checks every answer against the instrument (an unknown item id, a value that is
not an option of the item, or a value outside a scale raises ``AnswerError`` naming the item),
then calls the rule named by ``instrument.scoring_rule``. A rule returns a ``Score`` with a value,
or with ``value=None`` and a reason when the answers are too incomplete to score.

Missing-item policies (platform policy; the sources leave them open, clinical-reference §4.1):

- **ODI v2.1a** (``odi-v2.1a``): index = sum of section scores ÷ (5 x sections answered) x 100,
  rounded half-up to one decimal (16/50 → 32.0; 16/45 → 35.6 — §4.1 prints the truncated 35.5).
  One unanswered section (typically section 8, sex life, "if applicable") is allowed; **two or more
  unanswered sections leave the index unscored**, stricter than the "≥ 8 of 10" default §4.1
  suggests, because every missing section inflates the weight of the others. A section with two
  ticked statements is a form-entry question: the survey accepts one value and staff entering paper
  forms record the higher one (common practice per §4.1).
  Bands (the developers', §4.1): 0-20 minimal, 21-40 moderate, 41-60 severe, 61-80 and 81-100. The
  developers name the last two "crippled" and "bed-bound or exaggerating symptoms"; we keep their
  cut-offs and describe them respectfully (see ``ODI_BANDS``). A band's upper bound is inclusive, so
  an index of 20.0 is minimal and 22.2 is moderate.
- **RMDQ** (``rmdq-24``): count of "yes" (0-24, §4.5). Every item must be answered: on this form
  "no" is an answer, so a blank cannot be read as "does not apply".
- **PEG** (``peg-mean``): mean of the three 0-10 items (Krebs 2009, §4.3), rounded half-up to one
  decimal; all three must be answered.
- **PHQ-9** (``phq9-sum``): the sum of the nine items (0-27); every item must be answered. Bands
  (Kroenke 2001): 0-4 none or minimal, 5-9 mild, 10-14 moderate, 15-19 moderately severe, 20-27
  severe. Item 9 (thoughts of being better off dead or of self-harm) above 0 is flagged in the
  interpretation, first, whatever the total, so staff see it in the outcomes table.
- **NRS** (``nrs-0-10``), **PGIC** (``pgic-7``), **single-choice**: the one item's value. PGIC 1-2
  ("much / very much improved") is the usual responder anchor (§4.7) and is reported as a band.
- **PROMIS** (``promis-t-score``): raw sum of all items converted with the clinic-installed raw
  sum → T-score table (§4.4). No table, no score: ``MissingLookupTable``. All items must be
  answered (no prorating).
- **EQ-5D-5L** (``eq5d5l-value-set``): the 5-digit profile looked up in a clinic-installed value set
  (§4.6); all five dimensions must be answered (the EQ VAS is not part of the index).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TypeAlias

from annulus.outcomes.catalog import (
    ChoiceItem,
    Instrument,
    ScoringRule,
    TScoreTable,
    ValueSet,
    check_table,
)

__all__ = [
    "ODI_BANDS",
    "ODI_MAX_UNANSWERED_SECTIONS",
    "PGIC_IMPROVED",
    "PHQ9_BANDS",
    "PHQ9_ITEM9_FLAG",
    "RULES",
    "AnswerError",
    "Answers",
    "Band",
    "MissingLookupTable",
    "Score",
    "ScoringError",
    "score",
    "score_eq5d5l",
    "score_nrs",
    "score_odi",
    "score_peg",
    "score_pgic",
    "score_phq9",
    "score_promis",
    "score_rmdq",
    "score_single_choice",
    "validate_answers",
]

Answers: TypeAlias = Mapping[str, int | None]
_Clean: TypeAlias = dict[str, int | None]
_Table: TypeAlias = TScoreTable | ValueSet | None

ODI_MAX_UNANSWERED_SECTIONS = 1
PGIC_IMPROVED = (1, 2)  # "very much" and "much" improved: the responder anchor, §4.7 [P11]


@dataclass(frozen=True)
class Band:
    code: str
    upper: float  # inclusive
    label: str


ODI_BANDS: tuple[Band, ...] = (
    Band("minimal", 20, "Minimal disability"),
    Band("moderate", 40, "Moderate disability"),
    Band("severe", 60, "Severe disability"),
    # Developers' word: "crippled".
    Band("very-severe", 80, "Very severe disability: back pain limits most of daily life"),
    # Developers' words: "bed-bound or exaggerating symptoms".
    Band(
        "extreme",
        100,
        "Extreme disability: may be confined to bed; the developers advise reviewing "
        "the answers with the patient",
    ),
)


PHQ9_BANDS: tuple[Band, ...] = (
    Band("none-minimal", 4, "None or minimal depression"),
    Band("mild", 9, "Mild depression"),
    Band("moderate", 14, "Moderate depression"),
    Band("moderately-severe", 19, "Moderately severe depression"),
    Band("severe", 27, "Severe depression"),
)
PHQ9_ITEM9 = "phq9-9"
PHQ9_ITEM9_FLAG = "Item 9 positive (thoughts of death or self-harm): review today"


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


def validate_answers(instrument: Instrument, answers: Answers) -> _Clean:
    """Return every item id mapped to its answer (``None``: unanswered), or raise AnswerError."""
    items = {item.id: item for item in instrument.items}
    problems = [
        (key, f"unknown item {key!r}") for key in sorted(map(str, answers)) if key not in items
    ]
    clean: _Clean = {}
    for item_id, item in items.items():
        value = answers.get(item_id)
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, int):
                problems.append((item_id, f"item {item_id!r}: {value!r} is not a whole number"))
            elif value not in item.values:
                allowed = (
                    ", ".join(map(str, item.values))
                    if isinstance(item, ChoiceItem)
                    else f"{min(item.values)}-{max(item.values)}"
                )
                problems.append((item_id, f"item {item_id!r}: {value} is not allowed ({allowed})"))
        clean[item_id] = value
    if problems:
        raise AnswerError(instrument.id, problems)
    return clean


def score(instrument: Instrument, answers: Answers, *, table: _Table = None) -> Score:
    """Score ``answers`` with the instrument's rule. ``table``: a clinic-installed lookup table."""
    clean = validate_answers(instrument, answers)
    if table is not None:
        problems = check_table(instrument, table)
        if problems:
            raise ScoringError(f"{instrument.id}: lookup table refused: " + "; ".join(problems))
    return RULES[instrument.scoring_rule](instrument, clean, table)


# ---- helpers -----------------------------------------------------------------------------------


def _round(value: Fraction, places: int = 1) -> float:
    """Round half-up exactly (binary floats would turn 35.55 into 35.5)."""
    scale: int = 10**places
    return (value * scale + Fraction(1, 2)) // 1 / scale


def _answered(answers: _Clean) -> list[int]:
    return [value for value in answers.values() if value is not None]


def _result(
    instrument: Instrument,
    answers: _Clean,
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
        answered=len(_answered(answers)),
        expected=len(answers),
        raw=raw,
        band=band,
        interpretation=interpretation,
        profile=profile,
    )


def _all_answered(instrument: Instrument, answers: _Clean) -> Score | None:
    """An unscored Score when any item is unanswered, else None."""
    missing = [item_id for item_id, value in answers.items() if value is None]
    if not missing:
        return None
    return _result(
        instrument,
        answers,
        None,
        reason=f"every item must be answered; unanswered: {', '.join(missing)}",
    )


def _single(instrument: Instrument, answers: _Clean) -> tuple[Score | None, int]:
    unscored = _all_answered(instrument, answers)
    (value,) = answers.values()
    return unscored, value or 0


def _chosen_label(instrument: Instrument, value: int) -> str:
    (item,) = instrument.items
    assert isinstance(item, ChoiceItem)  # the catalog enforces each rule's item shape
    return next(option.label for option in item.options if option.value == value)


# ---- one function per scoring rule -------------------------------------------------------------


def score_nrs(instrument: Instrument, answers: _Clean, table: _Table = None) -> Score:
    """``nrs-0-10``: the rating itself (0 = no pain … 10 = worst imaginable)."""
    unscored, value = _single(instrument, answers)
    return unscored or _result(instrument, answers, float(value), raw=value)


def score_pgic(instrument: Instrument, answers: _Clean, table: _Table = None) -> Score:
    """``pgic-7``: 1 (very much improved) … 7 (very much worse); band ``much-improved`` for 1-2."""
    unscored, value = _single(instrument, answers)
    if unscored:
        return unscored
    return _result(
        instrument,
        answers,
        float(value),
        raw=value,
        band="much-improved" if value in PGIC_IMPROVED else "not-much-improved",
        interpretation=_chosen_label(instrument, value),
    )


def score_single_choice(instrument: Instrument, answers: _Clean, table: _Table = None) -> Score:
    """``single-choice``: the chosen option's value (e.g. satisfaction 1-5)."""
    unscored, value = _single(instrument, answers)
    if unscored:
        return unscored
    return _result(
        instrument,
        answers,
        float(value),
        raw=value,
        interpretation=_chosen_label(instrument, value),
    )


def score_odi(instrument: Instrument, answers: _Clean, table: _Table = None) -> Score:
    """``odi-v2.1a``: sum ÷ (5 x sections answered) x 100; unscored with ≥ 2 unanswered."""
    answered = _answered(answers)
    unanswered = len(answers) - len(answered)
    if unanswered > ODI_MAX_UNANSWERED_SECTIONS:
        return _result(
            instrument,
            answers,
            None,
            reason=(
                f"{unanswered} of {len(answers)} sections unanswered; the index needs at least "
                f"{len(answers) - ODI_MAX_UNANSWERED_SECTIONS}"
            ),
        )
    possible = sum(max(item.values) for item in instrument.items if answers[item.id] is not None)
    value = _round(Fraction(100 * sum(answered), possible))
    band = next(band for band in ODI_BANDS if value <= band.upper)
    return _result(
        instrument,
        answers,
        value,
        raw=sum(answered),
        band=band.code,
        interpretation=band.label,
    )


def score_rmdq(instrument: Instrument, answers: _Clean, table: _Table = None) -> Score:
    """``rmdq-24``: the number of statements answered "yes" (0-24)."""
    unscored = _all_answered(instrument, answers)
    total = sum(_answered(answers))
    return unscored or _result(instrument, answers, float(total), raw=total)


def score_peg(instrument: Instrument, answers: _Clean, table: _Table = None) -> Score:
    """``peg-mean``: mean of the three 0-10 items, one decimal."""
    unscored = _all_answered(instrument, answers)
    values = _answered(answers)
    if unscored:
        return unscored
    return _result(instrument, answers, _round(Fraction(sum(values), len(values))), raw=sum(values))


def score_phq9(instrument: Instrument, answers: _Clean, table: _Table = None) -> Score:
    """``phq9-sum``: the sum of the nine items (0-27) with its band; item 9 above 0 is flagged."""
    unscored = _all_answered(instrument, answers)
    if unscored:
        return unscored
    total = sum(_answered(answers))
    band = next(band for band in PHQ9_BANDS if total <= band.upper)
    interpretation = band.label
    if (answers.get(PHQ9_ITEM9) or 0) > 0:
        interpretation = f"{PHQ9_ITEM9_FLAG}. {band.label}"
    return _result(
        instrument, answers, float(total), raw=total, band=band.code, interpretation=interpretation
    )


def _require(instrument: Instrument, table: _Table) -> None:
    if table is None:
        raise MissingLookupTable(
            f"{instrument.id}: no lookup table is installed; this instrument cannot be scored "
            "until the clinic installs one"
        )


def score_promis(instrument: Instrument, answers: _Clean, table: _Table = None) -> Score:
    """``promis-t-score``: raw sum → T-score through the clinic-installed table."""
    _require(instrument, table)
    if not isinstance(table, TScoreTable):
        raise ScoringError(f"{instrument.id}: needs a T-score table")
    unscored = _all_answered(instrument, answers)
    if unscored:
        return unscored
    raw = sum(_answered(answers))
    if raw not in table.entries:
        raise ScoringError(f"{instrument.id}: the T-score table has no entry for raw sum {raw}")
    return _result(instrument, answers, table.entries[raw], raw=raw)


def score_eq5d5l(instrument: Instrument, answers: _Clean, table: _Table = None) -> Score:
    """``eq5d5l-value-set``: the 5-digit profile's index from the clinic-installed value set."""
    _require(instrument, table)
    if not isinstance(table, ValueSet):
        raise ScoringError(f"{instrument.id}: needs a value set")
    dimensions = {
        item.id: answers[item.id] for item in instrument.items if isinstance(item, ChoiceItem)
    }
    missing = [item_id for item_id, value in dimensions.items() if value is None]
    if missing:
        return _result(
            instrument,
            answers,
            None,
            reason=f"every dimension must be answered; unanswered: {', '.join(missing)}",
        )
    profile = "".join(str(value) for value in dimensions.values())
    if profile not in table.entries:
        raise ScoringError(f"{instrument.id}: the value set has no entry for profile {profile}")
    return _result(instrument, answers, table.entries[profile], profile=profile)


RULES: dict[ScoringRule, Callable[[Instrument, _Clean, _Table], Score]] = {
    "nrs-0-10": score_nrs,
    "pgic-7": score_pgic,
    "single-choice": score_single_choice,
    "odi-v2.1a": score_odi,
    "rmdq-24": score_rmdq,
    "peg-mean": score_peg,
    "promis-t-score": score_promis,
    "eq5d5l-value-set": score_eq5d5l,
    "phq9-sum": score_phq9,
}
