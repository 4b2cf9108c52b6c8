"""Scoring: published worked examples, missing-item rules, bounds, and refusal of bad answers."""

from decimal import ROUND_HALF_UP, Decimal
from itertools import product
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annulus.outcomes import scoring
from annulus.outcomes.catalog import Instrument, TScoreTable, ValueSet, load_instrument
from annulus.outcomes.scoring import (
    ODI_MAX_UNANSWERED_SECTIONS,
    AnswerError,
    MissingLookupTable,
    Score,
    ScoringError,
    score,
    score_eq5d5l,
    score_promis,
)

ODI = load_instrument("odi")
ODI_IDS = [item.id for item in ODI.items]
PLAIN = ["nrs-back", "nrs-leg", "pgic", "satisfaction", "odi", "rmdq", "peg"]
INSTRUMENTS = {i: load_instrument(i) for i in [*PLAIN, "promis-pi-4a", "eq5d5l"]}
# The range each rule's value must stay in, from the instrument definitions (clinical-reference §4).
BOUNDS = {
    "nrs-back": (0, 10),
    "nrs-leg": (0, 10),
    "pgic": (1, 7),
    "satisfaction": (1, 5),
    "odi": (0, 100),
    "rmdq": (0, 24),
    "peg": (0, 10),
}


def answers_for(instrument: Instrument, values: list[int | None]) -> dict[str, int | None]:
    return {item.id: value for item, value in zip(instrument.items, values, strict=True)}


@st.composite
def complete_answers(draw: st.DrawFn, instrument: Instrument) -> dict[str, int | None]:
    return {item.id: draw(st.sampled_from(item.values)) for item in instrument.items}


def half_up(numerator: int, denominator: int) -> float:
    exact = Decimal(numerator) / Decimal(denominator)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def synthetic_t_table(instrument: Instrument) -> TScoreTable:
    # Made-up numbers: the real PROMIS tables are licensed and never shipped.
    return TScoreTable(
        kind="t-score",
        instrument=instrument.id,
        version=instrument.version,
        source="synthetic",
        entries={raw: 20.0 + 3 * raw for raw in range(4, 21)},
    )


def synthetic_value_set() -> ValueSet:
    profiles = ("".join(map(str, p)) for p in product(range(1, 6), repeat=5))
    return ValueSet(
        kind="value-set",
        instrument="eq5d5l",
        version="5L",
        country="Testland",
        source="synthetic",
        entries={p: round(1 - sum(int(d) - 1 for d in p) / 20, 3) for p in profiles},
    )


def test_it_exports_its_public_names() -> None:
    assert sorted(scoring.__all__) == sorted(
        [
            "ODI_BANDS",
            "ODI_MAX_UNANSWERED_SECTIONS",
            "PHQ9_BANDS",
            "PHQ9_ITEM9_FLAG",
            "score_phq9",
            "PGIC_IMPROVED",
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
            "score_promis",
            "score_rmdq",
            "score_single_choice",
            "validate_answers",
        ]
    )
    assert set(scoring.RULES) == {i.scoring_rule for i in INSTRUMENTS.values()} | {
        "promis-t-score",
        "phq9-sum",
    }


# ---- ODI: the published worked examples (clinical-reference §4.1) -----------------------------


def test_it_reproduces_the_odi_example_with_all_sections_answered() -> None:
    result = score(ODI, answers_for(ODI, [3, 2, 2, 1, 2, 2, 1, 1, 1, 1]))
    assert (result.raw, result.value, result.answered, result.expected) == (16, 32.0, 10, 10)
    assert (result.band, result.instrument_version) == ("moderate", "2.1a")


def test_it_reproduces_the_odi_example_with_one_section_unanswered() -> None:
    result = score(ODI, answers_for(ODI, [3, 2, 2, 1, 2, 2, 1, None, 2, 1]))
    assert (result.raw, result.value, result.answered) == (16, 35.6, 9)


def test_it_treats_an_omitted_section_like_an_unanswered_one() -> None:
    answers = answers_for(ODI, [3, 2, 2, 1, 2, 2, 1, 0, 2, 1])
    del answers["sex-life"]
    assert score(ODI, answers).value == 35.6


def test_it_leaves_the_odi_unscored_with_two_sections_unanswered() -> None:
    result = score(ODI, answers_for(ODI, [3, 2, 2, 1, 2, 2, 1, None, None, 1]))
    assert result.value is None
    assert result.reason == "2 of 10 sections unanswered; the index needs at least 9"


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (10, "minimal"),  # 20 %
        (11, "moderate"),  # 22 %
        (20, "moderate"),  # 40 %
        (21, "severe"),
        (30, "severe"),  # 60 %
        (31, "very-severe"),
        (40, "very-severe"),  # 80 %
        (41, "extreme"),
        (50, "extreme"),
    ],
)
def test_it_places_the_odi_in_the_developers_bands(total: int, band: str) -> None:
    values = [min(5, max(0, total - 5 * n)) for n in range(10)]
    result = score(ODI, answers_for(ODI, list(values)))
    assert (result.raw, result.value, result.band) == (total, total * 2, band)
    assert result.interpretation
    assert "crippled" not in result.interpretation.lower()


@given(st.lists(st.one_of(st.none(), st.integers(0, 5)), min_size=10, max_size=10))
def test_it_scores_the_odi_iff_at_most_one_section_is_missing(values: list[int | None]) -> None:
    result = score(ODI, answers_for(ODI, values))
    given_values = [v for v in values if v is not None]
    missing = 10 - len(given_values)
    assert (result.value is not None) == (missing <= ODI_MAX_UNANSWERED_SECTIONS)
    assert (result.reason is None) == (missing <= 1)
    expected = half_up(100 * sum(given_values), 5 * len(given_values)) if missing <= 1 else None
    assert result.value == expected
    assert result.value is None or 0 <= result.value <= 100


@given(st.lists(st.integers(0, 4), min_size=10, max_size=10), st.integers(0, 9))
def test_it_never_lowers_the_odi_when_a_section_worsens(values: list[int], section: int) -> None:
    before = score(ODI, answers_for(ODI, list(values))).value
    values[section] += 1
    after = score(ODI, answers_for(ODI, list(values))).value
    assert before is not None and after is not None and after > before


# ---- the other rules ---------------------------------------------------------------------------


@given(st.data())
def test_it_keeps_every_score_within_its_instruments_bounds(data: st.DataObject) -> None:
    instrument_id = data.draw(st.sampled_from(PLAIN))
    instrument = INSTRUMENTS[instrument_id]
    result = score(instrument, data.draw(complete_answers(instrument)))
    low, high = BOUNDS[instrument_id]
    assert result.value is not None and low <= result.value <= high
    assert result.answered == result.expected == len(instrument.items)


@given(st.data())
def test_it_leaves_a_score_unscored_when_a_required_item_is_missing(data: st.DataObject) -> None:
    instrument_id = data.draw(st.sampled_from([i for i in PLAIN if i != "odi"]))
    instrument = INSTRUMENTS[instrument_id]
    answers = data.draw(complete_answers(instrument))
    gone = data.draw(st.sampled_from(sorted(answers)))
    answers[gone] = None
    result = score(instrument, answers)
    assert result.value is None
    assert result.reason is not None and gone in result.reason


@given(st.lists(st.sampled_from([0, 1]), min_size=24, max_size=24))
def test_it_counts_rmdq_yes_answers(values: list[int]) -> None:
    rmdq = INSTRUMENTS["rmdq"]
    assert score(rmdq, answers_for(rmdq, list(values))).value == values.count(1)


@given(st.lists(st.integers(0, 10), min_size=3, max_size=3))
def test_it_averages_the_three_peg_items(values: list[int]) -> None:
    peg = INSTRUMENTS["peg"]
    assert score(peg, answers_for(peg, list(values))).value == half_up(sum(values), 3)


def test_it_scores_pain_ratings_as_given() -> None:
    nrs = INSTRUMENTS["nrs-leg"]
    assert score(nrs, {"leg-pain": 0}).value == 0.0
    assert score(nrs, {"leg-pain": 7}).value == 7.0


@pytest.mark.parametrize(("answer", "band"), [(1, "much-improved"), (2, "much-improved")])
def test_it_marks_pgic_much_improved_as_the_responder_anchor(answer: int, band: str) -> None:
    result = score(INSTRUMENTS["pgic"], {"change": answer})
    assert (result.value, result.band) == (answer, band)


def test_it_keeps_pgic_3_to_7_outside_the_anchor() -> None:
    bands = {score(INSTRUMENTS["pgic"], {"change": a}).band for a in range(3, 8)}
    assert bands == {"not-much-improved"}
    assert score(INSTRUMENTS["pgic"], {"change": 7}).interpretation == "Very much worse"


def test_it_reports_the_chosen_satisfaction_label() -> None:
    result = score(INSTRUMENTS["satisfaction"], {"satisfaction": 4})
    assert (result.value, result.interpretation) == (4.0, "Somewhat satisfied")


# ---- tables: PROMIS and EQ-5D ------------------------------------------------------------------


def test_it_refuses_to_score_promis_without_an_installed_table() -> None:
    pi = INSTRUMENTS["promis-pi-4a"]
    answers = dict.fromkeys(["painin9", "painin22", "painin31", "painin34"], 3)
    with pytest.raises(MissingLookupTable, match="no lookup table is installed"):
        score(pi, answers)


@given(st.lists(st.integers(1, 5), min_size=4, max_size=4))
def test_it_converts_the_promis_raw_sum_through_the_table(values: list[int]) -> None:
    pi = INSTRUMENTS["promis-pi-4a"]
    table = synthetic_t_table(pi)
    result = score(pi, answers_for(pi, list(values)), table=table)
    assert result.raw == sum(values)
    assert result.value == table.entries[sum(values)]


def test_it_leaves_promis_unscored_when_an_item_is_missing() -> None:
    pi = INSTRUMENTS["promis-pi-4a"]
    result = score(pi, {"painin9": 2}, table=synthetic_t_table(pi))
    assert result.value is None
    assert result.reason == "every item must be answered; unanswered: painin22, painin31, painin34"


def test_it_refuses_an_incomplete_or_mismatched_table() -> None:
    pi = INSTRUMENTS["promis-pi-4a"]
    gappy = synthetic_t_table(pi).model_copy(update={"entries": {4: 40.0}})
    with pytest.raises(ScoringError, match="lookup table refused: entries: 16 raw sums"):
        score(pi, {"painin9": 2}, table=gappy)
    with pytest.raises(ScoringError, match="scored without a lookup table"):
        score(INSTRUMENTS["nrs-back"], {"back-pain": 2}, table=gappy)
    # Called directly, the rule functions still refuse the wrong kind or a missing entry.
    answers: dict[str, int | None] = dict.fromkeys(["painin9", "painin22", "painin31"], 1)
    answers["painin34"] = 2
    with pytest.raises(ScoringError, match="no entry for raw sum 5"):
        score_promis(pi, answers, gappy)
    with pytest.raises(ScoringError, match="needs a T-score table"):
        score_promis(pi, answers, synthetic_value_set())


def test_it_scores_eq5d_through_a_value_set_and_ignores_a_missing_vas() -> None:
    eq = INSTRUMENTS["eq5d5l"]
    values = synthetic_value_set()
    result = score(eq, answers_for(eq, [2, 1, 1, 4, 3, None]), table=values)
    assert (result.profile, result.value) == ("21143", values.entries["21143"])
    with pytest.raises(MissingLookupTable):
        score(eq, answers_for(eq, [2, 1, 1, 4, 3, 70]))


def test_it_leaves_eq5d_unscored_without_all_five_dimensions() -> None:
    eq = INSTRUMENTS["eq5d5l"]
    result = score(eq, answers_for(eq, [2, None, 1, 4, 3, 70]), table=synthetic_value_set())
    assert result.reason == "every dimension must be answered; unanswered: self-care"


def test_it_refuses_a_wrong_or_partial_value_set_passed_directly() -> None:
    eq = INSTRUMENTS["eq5d5l"]
    answers: dict[str, int | None] = dict(answers_for(eq, [1, 1, 1, 1, 2, None]))
    partial = synthetic_value_set().model_copy(update={"entries": {"11111": 1.0}})
    with pytest.raises(ScoringError, match="no entry for profile 11112"):
        score_eq5d5l(eq, answers, partial)
    with pytest.raises(ScoringError, match="needs a value set"):
        score_eq5d5l(eq, answers, synthetic_t_table(INSTRUMENTS["promis-pi-4a"]))


# ---- bad answers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instrument_id", "answers", "message"),
    [
        ("nrs-back", {"back-pain": 11}, "item 'back-pain': 11 is not allowed (0-10)"),
        ("nrs-back", {"back-pain": -1}, "item 'back-pain': -1 is not allowed (0-10)"),
        ("odi", {"walking": 6}, "item 'walking': 6 is not allowed (0, 1, 2, 3, 4, 5)"),
        ("pgic", {"change": 0}, "item 'change': 0 is not allowed (1, 2, 3, 4, 5, 6, 7)"),
        ("rmdq", {"item-03": True}, "item 'item-03': True is not a whole number"),
        ("peg", {"enjoyment-of-life": 2.5}, "item 'enjoyment-of-life': 2.5 is not a whole number"),
        ("peg", {"enjoyment-of-life": "3"}, "item 'enjoyment-of-life': '3' is not a whole number"),
        ("odi", {"jogging": 1}, "unknown item 'jogging'"),
    ],
)
def test_it_refuses_bad_answers_naming_the_item(
    instrument_id: str, answers: dict[str, Any], message: str
) -> None:
    with pytest.raises(AnswerError) as caught:
        score(INSTRUMENTS[instrument_id], answers)
    assert caught.value.problems == (message,)
    assert str(caught.value) == f"{instrument_id}: {message}"


def test_it_names_every_bad_item_at_once() -> None:
    with pytest.raises(AnswerError) as caught:
        score(ODI, {"zeta": 1, "alpha": 2, "walking": 9, "lifting": 7})
    assert caught.value.item_ids == ("alpha", "zeta", "lifting", "walking")


def test_it_keeps_a_score_either_valued_or_explained() -> None:
    with pytest.raises(ValueError, match="either a value or a reason"):
        Score("odi", "2.1a", "odi-v2.1a", value=None, reason=None, answered=0, expected=10)
    with pytest.raises(ValueError, match="either a value or a reason"):
        Score("odi", "2.1a", "odi-v2.1a", value=3.0, reason="why", answered=0, expected=10)
