"""The National Provider Identifier's check digit (Luhn over the "80840" prefix).

An NPI is 10 digits; the last is a Luhn check digit computed as if the number carried the
health-industry prefix 80840 (CMS, "Requirements for NPI check digit"). A typo in one digit or a
swap of two neighbouring digits fails the check, so it is caught at the form.
"""

from __future__ import annotations

PREFIX = "80840"


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def npi_problem(value: str) -> str:
    """Why `value` is not a valid NPI, or "" when it is."""
    if len(value) != 10 or not value.isdigit():
        return "an NPI is exactly 10 digits"
    if not luhn_valid(PREFIX + value):
        return "the check digit does not match; check the number for a typo"
    return ""


def with_check_digit(first_nine: str) -> str:
    """The full NPI for nine digits (for synthetic demo and test doctors)."""
    for last in "0123456789":
        if luhn_valid(PREFIX + first_nine + last):
            return first_nine + last
    raise ValueError(first_nine)  # pragma: no cover - some digit always completes a Luhn sum
