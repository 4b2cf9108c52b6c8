"""The one rule for phone numbers and dates of birth, wherever a person or the staff type them.

Used by the staff patient form, the lead forms, the booking form and the booking API. Each
raises `ValueError` with a short reason in plain words; the caller puts it into its own message
(a form names its field, the API its JSON path).
"""

from __future__ import annotations

import re
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_noop

# Marked for translation; a form on a Spanish page shows gettext(str(problem)) (issue #18).
PHONE_RULE = gettext_noop("use digits, spaces and + - ( ) only")
PHONE_MAX_LENGTH = 40
# A short extension may follow: "+1 555 0100 ext 12", "555-0100 x12".
_PHONE = re.compile(r"\+?[0-9()\-. ]+(?: ?(?:ext\.?|x) ?[0-9]+)?", re.IGNORECASE)
_MIN_DIGITS = 7


def clean_phone(value: object) -> str:
    """The phone number with its spaces tidied ("" when none was given).

    Raises `ValueError(PHONE_RULE)` for letters or signs a phone number does not have, fewer
    than seven digits, or more than 40 characters.
    """
    phone = " ".join(str(value or "").split())
    if not phone:
        return ""
    digits = sum(c.isdigit() for c in phone)
    if len(phone) > PHONE_MAX_LENGTH or digits < _MIN_DIGITS or not _PHONE.fullmatch(phone):
        raise ValueError(PHONE_RULE)
    return phone


def check_date_of_birth(born: date, *, today: date | None = None) -> date:
    """`born`, if it can be a living person's date of birth; else `ValueError` saying why."""
    today = today or timezone.now().date()
    if born > today:
        raise ValueError(gettext_noop("cannot be in the future"))
    if born.year < 1900:
        raise ValueError(gettext_noop("is before 1900: check the year"))
    return born
