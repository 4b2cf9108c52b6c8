"""The NPI check digit: the CMS example passes, and any one-digit typo fails."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annulus.frontoffice.npi import npi_problem, with_check_digit


def test_the_cms_example_npi_is_valid():
    # CMS's worked example: 123456789 takes the check digit 3.
    assert npi_problem("1234567893") == ""
    assert with_check_digit("123456789") == "1234567893"


@pytest.mark.parametrize("value", ["1234567890", "123456789", "12345678931", "12345A7893", ""])
def test_a_wrong_check_digit_or_length_is_refused(value):
    assert npi_problem(value)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9), st.integers(0, 9), st.integers(1, 9))
def test_changing_any_one_digit_breaks_the_check(first_nine, position, delta):
    npi = with_check_digit(first_nine)
    digit = (int(npi[position]) + delta) % 10
    typo = npi[:position] + str(digit) + npi[position + 1 :]
    assert npi_problem(npi) == ""
    assert "check digit" in npi_problem(typo)
