"""The patient list's search box: names, email, phone, date of birth and VA referral number.

Each word narrows the list. A word that looks like a date is a date of birth, in the formats the
pages show and people type (1975-04-23, 04/23/1975, 4/23/1975); one that looks like a date but
is none (13/45/1975) is refused with a message rather than matched as text. Other words match
names, email or phone (contains), or a VA referral number (exact, any of the patient's).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from annulus.patients.models import CommunityCareAuthorization

DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y")
_LOOKS_LIKE_DATE = re.compile(r"^\d{1,4}[-/]\d{1,2}[-/]\d{1,4}$")


class BadTerm(ValueError):
    """A search word that cannot be read; the message says how to write it."""


def as_date(word: str) -> date | None:
    """The date a word names, None when it is no date-like word; BadTerm when it is a bad date."""
    if not _LOOKS_LIKE_DATE.match(word):
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(word, fmt).date()  # noqa: DTZ007 (a date, no time)
        except ValueError:
            continue
    raise BadTerm(
        f"“{word[:20]}” is not a date. Write a date of birth as YYYY-MM-DD or MM/DD/YYYY, "
        "for example 1975-04-23 or 04/23/1975."
    )


def check(query: str) -> str:
    """The query, stripped; BadTerm for a date-like word that is no date."""
    for word in query.split():
        as_date(word)
    return query.strip()


def search(patients: QuerySet[Any], query: str) -> QuerySet[Any]:
    """`patients` narrowed by every word of `query` (see the module's docstring)."""
    for word in query.split():
        born = as_date(word)
        if born is not None:
            patients = patients.filter(date_of_birth=born)
            continue
        referral = CommunityCareAuthorization.objects.filter(
            patient=OuterRef("pk"), referral_number__iexact=word
        )
        patients = patients.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(phone__icontains=word)
            | Exists(referral)
        )
    return patients
