"""PHQ-9: shipped with its attribution, scored 0-27 with the developers' bands, item 9 flagged."""

from io import StringIO

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from annulus.outcomes.catalog import load_instrument
from annulus.outcomes.scoring import PHQ9_ITEM9_FLAG, AnswerError, score

PHQ9 = load_instrument("phq9")
IDS = [item.id for item in PHQ9.items]
ATTRIBUTION = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with "
    "an educational grant from Pfizer Inc. No permission required to reproduce, translate, "
    "display or distribute."
)


def answers(values: list[int | None]) -> dict[str, int | None]:
    return dict(zip(IDS, values, strict=True))


def spread(total: int, *, item9: int = 0) -> list[int | None]:
    """Nine answers (each 0-3) summing to `total`, with item 9 fixed."""
    rest = total - item9
    values = []
    for _ in range(8):
        take = min(3, rest)
        values.append(take)
        rest -= take
    assert rest == 0
    return [*values, item9]


def test_it_ships_the_nine_items_and_the_pfizer_attribution():
    assert len(PHQ9.items) == 9
    assert PHQ9.attribution == ATTRIBUTION
    assert PHQ9.licence.status == "open"
    assert PHQ9.items[8].text.startswith("Thoughts that you would be better off dead")
    assert [o.label for o in PHQ9.items[0].options] == [
        "Not at all",
        "Several days",
        "More than half the days",
        "Nearly every day",
    ]


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "none-minimal"),
        (4, "none-minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately-severe"),
        (19, "moderately-severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_it_scores_the_total_with_the_severity_band_at_each_boundary(total, band):
    item9 = max(0, total - 24)  # eight items reach 24 at most
    result = score(PHQ9, answers(spread(total, item9=item9)))
    assert result.value == total
    assert result.raw == total
    assert result.band == band
    assert (PHQ9_ITEM9_FLAG in (result.interpretation or "")) == (item9 > 0)


@given(st.lists(st.integers(0, 3), min_size=9, max_size=9))
def test_it_is_the_sum_of_the_items_within_0_to_27(values):
    result = score(PHQ9, answers(list(values)))
    assert result.value == sum(values)
    assert 0 <= result.value <= 27


def test_item_9_above_zero_is_flagged_for_staff_whatever_the_total():
    result = score(PHQ9, answers(spread(1, item9=1)))
    assert result.band == "none-minimal"
    assert result.interpretation.startswith("Item 9 positive")
    assert "None or minimal" in result.interpretation


def test_an_unanswered_item_leaves_it_unscored_and_a_bad_value_is_refused():
    values = spread(10)
    values[3] = None
    result = score(PHQ9, answers(values))
    assert result.value is None and "phq9-4" in result.reason
    with pytest.raises(AnswerError) as exc:
        score(PHQ9, answers([4, 0, 0, 0, 0, 0, 0, 0, 0]))
    assert exc.value.item_ids == ("phq9-1",)


@pytest.mark.django_db
def test_the_instruments_command_lists_it_as_free_to_reproduce():
    out = StringIO()
    call_command("instruments", stdout=out)
    row = next(line for line in out.getvalue().splitlines() if line.startswith("phq9 "))
    assert "open" in row and "attribution" in row and "PHQ-9" in row
