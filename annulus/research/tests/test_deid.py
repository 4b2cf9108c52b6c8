"""The generalisation rules on their own."""

from __future__ import annotations

from datetime import date

import pytest

from annulus.research.deid import (
    RESTRICTED_ZIP3,
    age_at,
    age_label,
    days_between,
    escape_cell,
    suppress,
    zip3,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("60614", "606"),
        ("60614-1234", "606"),
        ("03601", "000"),  # 036: restricted (2000 Census population ≤ 20,000)
        ("89301", "000"),
        ("20301", "000"),
        ("1234", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_it_keeps_three_zip_digits_and_blanks_restricted_prefixes(
    raw: str | None, expected: str
) -> None:
    assert zip3(raw) == expected


def test_it_uses_the_seventeen_prefixes_hhs_lists() -> None:
    assert len(RESTRICTED_ZIP3) == 17
    assert {"036", "059", "102", "556", "692", "790", "893"} <= RESTRICTED_ZIP3


@pytest.mark.parametrize(
    ("age", "label"), [(None, ""), (18, "18"), (89, "89"), (90, "90+"), (104, "90+")]
)
def test_it_pools_ages_of_ninety_and_over(age: int | None, label: str) -> None:
    assert age_label(age) == label


def test_it_counts_age_in_whole_years() -> None:
    assert age_at(date(1936, 6, 15), date(2026, 6, 14)) == 89
    assert age_at(date(1936, 6, 15), date(2026, 6, 15)) == 90
    assert days_between(date(2026, 1, 10), date(2026, 1, 1)) == -9


@pytest.mark.parametrize("text", ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\t=x"])
def test_it_escapes_spreadsheet_formulas(text: str) -> None:
    assert escape_cell(text) == "'" + text
    assert escape_cell(-3) == -3  # numbers are numbers, not formulas
    assert escape_cell("L4-L5") == "L4-L5"


def test_it_suppresses_counts_below_eleven() -> None:
    assert [suppress(n) for n in (0, 1, 10, 11, 250)] == ["0", "<11", "<11", "11", "250"]
