"""The Safe Harbor checker: runs before every research export and stops it on any finding.

Three layers, each able to stop an export on its own:
1. Shape: every table and column is in the allow-list, and every cell fits its column's kind
   (a number, a yes/no, a code from a closed list, a 3-digit ZIP, "90+"...). Free text cannot
   fit, so a name typed into any field is caught here whatever it looks like.
2. Patterns: the 18 identifier classes that have a recognisable form (emails, phone and fax
   numbers, SSNs, full dates, ZIP5, street addresses, URLs, IP addresses, long digit runs that
   could be record, account, plan, licence, device or vehicle numbers).
3. Actual knowledge: the names, emails and phone numbers the clinic really holds, searched in
   every cell (the Privacy Rule's "no actual knowledge" condition).

Findings name the class, table, column and row, never the value, so the report holds no PHI.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from annulus.research.deid import SMALL_CELL
from annulus.research.dictionary import LEVELS, PATTERNS, STUDY_ID, TABLES, Column

__all__ = ["Finding", "KnownIdentifiers", "check"]

# Safe Harbor classes, 45 CFR 164.514(b)(2)(i)(A)-(R).
CLASSES = {
    "A": "names",
    "B": "geographic subdivisions smaller than a state (street, city, ZIP5)",
    "C": "dates more precise than the year, and ages over 89",
    "D": "telephone numbers",
    "E": "fax numbers",
    "F": "email addresses",
    "G": "social security numbers",
    "H": "medical record numbers",
    "I": "health plan beneficiary numbers",
    "J": "account numbers",
    "K": "certificate or licence numbers",
    "L": "vehicle identifiers",
    "M": "device identifiers and serial numbers",
    "N": "web URLs",
    "O": "IP addresses",
    "P": "biometric identifiers",
    "Q": "full-face photographs and comparable images",
    "R": "any other unique identifying number, characteristic or code (incl. free text)",
}

# Kinds whose valid values are fully described by their shape: nothing more to search for.
CLOSED_KINDS = frozenset({"study_id", "age", "zip3", "levels", "count"})

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("F", re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")),
    ("N", re.compile(r"(https?://|www\.)", re.I)),
    ("O", re.compile(r"\b\d{1,3}(\.\d{1,3}){3}\b")),
    ("G", re.compile(r"\b\d{3}-\d{2}-\d{4}\b")),
    ("D", re.compile(r"(\+?\d[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]\d{4}\b|\b\d{3}[\s.-]\d{4}\b")),
    ("C", re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b")),
    (
        "C",
        re.compile(
            r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b", re.I
        ),
    ),
    ("B", re.compile(r"\b\d{5}(-\d{4})?\b")),
    (
        "B",
        re.compile(
            r"\b\d+\s+([A-Za-z]+\s+){1,4}(street|st|avenue|ave|road|rd|lane|ln|drive|dr|"
            r"boulevard|blvd|way|court|ct|place|pl|terrace|parkway|pkwy|highway|hwy)\b",
            re.I,
        ),
    ),
    ("H", re.compile(r"\b\d{6,}\b")),
]


@dataclass(frozen=True)
class Finding:
    cls: str
    table: str
    column: str
    row: int

    def __str__(self) -> str:
        return f"{self.table}.{self.column} row {self.row + 1}: {CLASSES[self.cls]}"


@dataclass
class KnownIdentifiers:
    """What the clinic actually holds about people: searched for in every cell."""

    names: set[str] = field(default_factory=set)  # lower-cased name parts, 2+ letters
    emails: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)  # digits only, 7+

    def add_person(self, *names: str, email: str = "", phone: str = "") -> None:
        for name in names:
            for part in re.split(r"[\s,.'-]+", name or ""):
                if len(part) >= 2:
                    self.names.add(part.lower())
        if email:
            self.emails.add(email.lower())
        digits = re.sub(r"\D", "", phone or "")
        if len(digits) >= 7:
            self.phones.add(digits)


def check(tables: dict[str, list[dict[str, Any]]], known: KnownIdentifiers) -> list[Finding]:
    findings: list[Finding] = []
    # An aggregate count can never exceed the number of people exported; a larger "count" is
    # something else in a count's shape (a ZIP5, a record number).
    most = len(tables.get("patients", ()))
    for table, rows in tables.items():
        columns = {c.name: c for c in TABLES.get(table, ())}
        if not columns:
            findings.append(Finding("R", table, "*", 0))
            continue
        for i, row in enumerate(rows):
            for name, value in row.items():
                column = columns.get(name)
                if column is None:
                    findings.append(Finding("R", table, name, i))
                    continue
                findings.extend(
                    Finding(cls, table, name, i) for cls in _cell_problems(column, value, known)
                )
                if column.kind == "count" and _over(value, most):
                    findings.append(Finding("R", table, name, i))
    return findings


def _over(value: Any, most: int) -> bool:
    return isinstance(value, str) and value.isdigit() and int(value) > most


def _cell_problems(column: Column, value: Any, known: KnownIdentifiers) -> Iterable[str]:
    if isinstance(value, datetime | date):
        yield "C"
        return
    fits = _fits(column, value)
    if not fits:
        yield "C" if column.kind == "age" else "R"
    if value is None or isinstance(value, bool | int | float):
        return
    if fits and (column.kind in CLOSED_KINDS or column.vocab is not None):
        return  # a value from a closed list or a validated shape carries nothing else
    text = str(value)
    seen = set()
    for cls, pattern in _PATTERNS:
        if cls not in seen and pattern.search(text):
            seen.add(cls)
            yield cls
    lowered = text.lower()
    words = set(re.split(r"[^a-z]+", lowered))
    if words & known.names:
        yield "A"
    if "@" in lowered and {m.group(0) for m in _EMAIL.finditer(lowered)} & known.emails:
        yield "F"
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 7 and _has_known_phone(digits, known.phones):
        yield "D"


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


def _has_known_phone(digits: str, phones: set[str]) -> bool:
    lengths = {len(p) for p in phones}
    return any(digits[i : i + n] in phones for n in lengths for i in range(len(digits) - n + 1))


def _fits(column: Column, value: Any) -> bool:
    if value is None or value == "":
        return column.kind != "study_id"
    kind = column.kind
    if kind == "study_id":
        return isinstance(value, str) and bool(STUDY_ID.match(value))
    if kind == "bool":
        return isinstance(value, bool)
    if kind in ("int", "days"):
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "year":
        return isinstance(value, int) and not isinstance(value, bool) and 1900 <= value <= 2100
    if kind == "age":
        return value == "90+" or (isinstance(value, str) and value.isdigit() and int(value) < 90)
    if kind == "zip3":
        return isinstance(value, str) and len(value) == 3 and value.isdigit()
    if kind == "levels":
        return isinstance(value, str) and all(part in LEVELS for part in value.split(";"))
    if kind == "count":
        if value == f"<{SMALL_CELL}" or value == "0":
            return True
        return isinstance(value, str) and value.isdigit() and int(value) >= SMALL_CELL
    if kind == "code":
        if not isinstance(value, str):
            return False
        if column.vocab is not None:
            return value in column.vocab
        pattern = PATTERNS.get(column.name)
        return pattern is not None and bool(pattern.match(value))
    return False
