"""The shared rule for phone numbers and dates of birth."""

from __future__ import annotations

from datetime import date

import pytest

from annulus.lib.validators import PHONE_RULE, check_date_of_birth, clean_phone


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("+1 555 0100", "+1 555 0100"),
        ("  (555)   010-0199 ", "(555) 010-0199"),
        ("555.010.0199 ext 12", "555.010.0199 ext 12"),
        ("555-0100 x7", "555-0100 x7"),
        ("", ""),
        (None, ""),
    ],
)
def test_it_accepts_and_tidies_real_phone_numbers(typed, kept):
    assert clean_phone(typed) == kept


@pytest.mark.parametrize("typed", ["call me maybe", "555", "+1 555", "5" * 41, "555-0100; drop"])
def test_it_refuses_what_is_not_a_phone_number(typed):
    with pytest.raises(ValueError, match="digits"):
        clean_phone(typed)
    assert "digits" in PHONE_RULE


def test_it_refuses_a_date_of_birth_in_the_future_or_before_1900():
    today = date(2026, 6, 1)
    assert check_date_of_birth(date(1975, 4, 23), today=today) == date(1975, 4, 23)
    assert check_date_of_birth(today, today=today) == today
    with pytest.raises(ValueError, match="future"):
        check_date_of_birth(date(2026, 6, 2), today=today)
    with pytest.raises(ValueError, match="1900"):
        check_date_of_birth(date(1899, 12, 31), today=today)


@pytest.mark.django_db
def test_every_form_that_takes_a_phone_number_uses_the_shared_rule(clinic):
    from annulus.leads.forms import ConvertLeadForm
    from annulus.patients.forms import PatientForm
    from annulus.scheduling.forms import DetailsForm

    forms = [
        PatientForm({"phone": "call me"}, clinic=clinic),
        ConvertLeadForm({"phone": "call me"}),
        DetailsForm({"phone": "call me"}),
    ]
    for form in forms:
        form.is_valid()
        assert "digits" in str(form.errors.get("phone")), type(form).__name__
