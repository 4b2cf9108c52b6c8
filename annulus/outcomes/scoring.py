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

from collections.abc import Callable
from fractions import Fraction

from annulus.outcomes.catalog import (
    ChoiceItem,
    Instrument,
    ScoringRule,
    TScoreTable,
    ValueSet,
    check_table,
)
from annulus.outcomes.score_result import (
    AnswerError,
    Answers,
    Band,
    Clean,
    MissingLookupTable,
    Score,
    ScoringError,
    Table,
    all_answered,
    answered_values,
    chosen_label,
    require_table,
    result,
    round_half_up,
    single,
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

ODI_MAX_UNANSWERED_SECTIONS = 1
PGIC_IMPROVED = (1, 2)  # "very much" and "much" improved: the responder anchor, §4.7 [P11]


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


def validate_answers(instrument: Instrument, answers: Answers) -> Clean:
    """Return every item id mapped to its answer (``None``: unanswered), or raise AnswerError."""
    items = {item.id: item for item in instrument.items}
    problems = [
        (key, f"unknown item {key!r}") for key in sorted(map(str, answers)) if key not in items
    ]
    clean: Clean = {}
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


def score(instrument: Instrument, answers: Answers, *, table: Table = None) -> Score:
    """Score ``answers`` with the instrument's rule. ``table``: a clinic-installed lookup table."""
    clean = validate_answers(instrument, answers)
    if table is not None:
        problems = check_table(instrument, table)
        if problems:
            raise ScoringError(f"{instrument.id}: lookup table refused: " + "; ".join(problems))
    return RULES[instrument.scoring_rule](instrument, clean, table)


# ---- one function per scoring rule -------------------------------------------------------------


def score_nrs(instrument: Instrument, answers: Clean, table: Table = None) -> Score:
    """``nrs-0-10``: the rating itself (0 = no pain … 10 = worst imaginable)."""
    unscored, value = single(instrument, answers)
    return unscored or result(instrument, answers, float(value), raw=value)


def score_pgic(instrument: Instrument, answers: Clean, table: Table = None) -> Score:
    """``pgic-7``: 1 (very much improved) … 7 (very much worse); band ``much-improved`` for 1-2."""
    unscored, value = single(instrument, answers)
    if unscored:
        return unscored
    return result(
        instrument,
        answers,
        float(value),
        raw=value,
        band="much-improved" if value in PGIC_IMPROVED else "not-much-improved",
        interpretation=chosen_label(instrument, value),
    )


def score_single_choice(instrument: Instrument, answers: Clean, table: Table = None) -> Score:
    """``single-choice``: the chosen option's value (e.g. satisfaction 1-5)."""
    unscored, value = single(instrument, answers)
    if unscored:
        return unscored
    return result(
        instrument,
        answers,
        float(value),
        raw=value,
        interpretation=chosen_label(instrument, value),
    )


def score_odi(instrument: Instrument, answers: Clean, table: Table = None) -> Score:
    """``odi-v2.1a``: sum ÷ (5 x sections answered) x 100; unscored with ≥ 2 unanswered."""
    answered = answered_values(answers)
    unanswered = len(answers) - len(answered)
    if unanswered > ODI_MAX_UNANSWERED_SECTIONS:
        return result(
            instrument,
            answers,
            None,
            reason=(
                f"{unanswered} of {len(answers)} sections unanswered; the index needs at least "
                f"{len(answers) - ODI_MAX_UNANSWERED_SECTIONS}"
            ),
        )
    possible = sum(max(item.values) for item in instrument.items if answers[item.id] is not None)
    value = round_half_up(Fraction(100 * sum(answered), possible))
    band = next(band for band in ODI_BANDS if value <= band.upper)
    return result(
        instrument,
        answers,
        value,
        raw=sum(answered),
        band=band.code,
        interpretation=band.label,
    )


def score_rmdq(instrument: Instrument, answers: Clean, table: Table = None) -> Score:
    """``rmdq-24``: the number of statements answered "yes" (0-24)."""
    unscored = all_answered(instrument, answers)
    total = sum(answered_values(answers))
    return unscored or result(instrument, answers, float(total), raw=total)


def score_peg(instrument: Instrument, answers: Clean, table: Table = None) -> Score:
    """``peg-mean``: mean of the three 0-10 items, one decimal."""
    unscored = all_answered(instrument, answers)
    values = answered_values(answers)
    if unscored:
        return unscored
    return result(
        instrument, answers, round_half_up(Fraction(sum(values), len(values))), raw=sum(values)
    )


def score_phq9(instrument: Instrument, answers: Clean, table: Table = None) -> Score:
    """``phq9-sum``: the sum of the nine items (0-27) with its band; item 9 above 0 is flagged."""
    unscored = all_answered(instrument, answers)
    if unscored:
        return unscored
    total = sum(answered_values(answers))
    band = next(band for band in PHQ9_BANDS if total <= band.upper)
    interpretation = band.label
    if (answers.get(PHQ9_ITEM9) or 0) > 0:
        interpretation = f"{PHQ9_ITEM9_FLAG}. {band.label}"
    return result(
        instrument, answers, float(total), raw=total, band=band.code, interpretation=interpretation
    )


def score_promis(instrument: Instrument, answers: Clean, table: Table = None) -> Score:
    """``promis-t-score``: raw sum → T-score through the clinic-installed table."""
    require_table(instrument, table)
    if not isinstance(table, TScoreTable):
        raise ScoringError(f"{instrument.id}: needs a T-score table")
    unscored = all_answered(instrument, answers)
    if unscored:
        return unscored
    raw = sum(answered_values(answers))
    if raw not in table.entries:
        raise ScoringError(f"{instrument.id}: the T-score table has no entry for raw sum {raw}")
    return result(instrument, answers, table.entries[raw], raw=raw)


def score_eq5d5l(instrument: Instrument, answers: Clean, table: Table = None) -> Score:
    """``eq5d5l-value-set``: the 5-digit profile's index from the clinic-installed value set."""
    require_table(instrument, table)
    if not isinstance(table, ValueSet):
        raise ScoringError(f"{instrument.id}: needs a value set")
    dimensions = {
        item.id: answers[item.id] for item in instrument.items if isinstance(item, ChoiceItem)
    }
    missing = [item_id for item_id, value in dimensions.items() if value is None]
    if missing:
        return result(
            instrument,
            answers,
            None,
            reason=f"every dimension must be answered; unanswered: {', '.join(missing)}",
        )
    profile = "".join(str(value) for value in dimensions.values())
    if profile not in table.entries:
        raise ScoringError(f"{instrument.id}: the value set has no entry for profile {profile}")
    return result(instrument, answers, table.entries[profile], profile=profile)


RULES: dict[ScoringRule, Callable[[Instrument, Clean, Table], Score]] = {
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
