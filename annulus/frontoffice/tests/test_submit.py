"""The shared form round: a refusal lands on the field it names, or on the whole form."""

from __future__ import annotations

import pytest
from django import forms
from django.test import RequestFactory

from annulus.frontoffice.coverage_actions import CoverageError
from annulus.frontoffice.referral_actions import ReferralError
from annulus.frontoffice.submit import submit


class CodeForm(forms.Form):
    code = forms.CharField()


def _refuse(exc: Exception):
    def action() -> None:
        raise exc

    return action


@pytest.mark.parametrize(
    ("refused", "errors"),
    [
        (  # the field it names
            CoverageError("code", "Code: X is already on the price list."),
            {"code": ["Code: X is already on the price list."]},
        ),
        (  # a field the form lacks: the whole form
            ReferralError("fax_number", "Fax number: too short."),
            {"__all__": ["Fax number: too short."]},
        ),
    ],
)
def test_a_refusal_goes_on_the_form_and_nothing_redirects(refused, errors):
    form = CodeForm({"code": "X"})
    assert form.is_valid()
    request = RequestFactory().post("/")
    assert submit(request, form, _refuse(refused), done="Saved.", to="referrers:list") is None
    assert form.errors == errors
