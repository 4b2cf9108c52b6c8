"""Safe Harbor generalisation rules (45 CFR 164.514(b)(2)(i)): pure functions, no Django.

- Dates keep the year only; intervals are days from the patient's index date.
- Ages of 90 and over become "90+" (and the year of birth is withheld for them).
- ZIP codes keep their first three digits, except the prefixes whose combined population is
  20,000 or fewer, which become "000".
- Cells a spreadsheet would run as a formula are escaped.
"""

from __future__ import annotations

from datetime import date

__all__ = [
    "RESTRICTED_ZIP3",
    "RESTRICTED_ZIP3_SOURCE",
    "SMALL_CELL",
    "age_at",
    "age_label",
    "days_between",
    "escape_cell",
    "suppress",
    "zip3",
]

# The 17 three-digit ZIP prefixes with a combined population of 20,000 or fewer in the 2000
# Census, as listed in HHS's de-identification guidance (OCR, 26 Nov 2012, section 3.3, which
# repeats the 2002 Privacy Rule preamble). Versioned: HHS says to use newer Census data when
# published, so a new list is a new entry here, never an edit of this one.
RESTRICTED_ZIP3_SOURCE = "hhs-ocr-2012-guidance/census-2000"
RESTRICTED_ZIP3 = frozenset(
    {
        "036", "059", "063", "102", "203", "556", "692", "790", "821",
        "823", "830", "831", "878", "879", "884", "890", "893",
    }
)  # fmt: skip
AGE_CAP = 90
SMALL_CELL = 11  # counts below this are suppressed in aggregate tables
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def zip3(postal_code: str | None) -> str:
    """The first three digits of a US ZIP, "000" for restricted prefixes, "" when unknown."""
    digits = "".join(c for c in (postal_code or "") if c.isdigit())
    if len(digits) not in (5, 9):
        return ""
    prefix = digits[:3]
    return "000" if prefix in RESTRICTED_ZIP3 else prefix


def age_at(birth: date | None, on: date) -> int | None:
    if birth is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def age_label(age: int | None) -> str:
    """Whole years as text, with every age of 90 or more pooled into "90+"."""
    if age is None:
        return ""
    return "90+" if age >= AGE_CAP else str(age)


def days_between(index: date, when: date | None) -> int | None:
    return None if when is None else (when - index).days


def escape_cell(value: object) -> object:
    """Prefix text a spreadsheet would run as a formula with an apostrophe (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def suppress(count: int) -> str:
    """A count for an aggregate table: exact from 11 up, "<11" below (zero stays zero)."""
    if count == 0:
        return "0"
    return str(count) if count >= SMALL_CELL else f"<{SMALL_CELL}"
