"""The shared form round: a refusal lands on the field it names, or on the whole form."""

from __future__ import annotations

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


def test_a_refusal_goes_on_the_field_it_names_and_nothing_redirects():
    form = CodeForm({"code": "X"})
    assert form.is_valid()
    request = RequestFactory().post("/")
    refused = CoverageError("code", "Code: X is already on the price list.")
    assert submit(request, form, _refuse(refused), done="Saved.", to="price_list:list") is None
    assert form.errors == {"code": ["Code: X is already on the price list."]}


def test_a_field_the_form_lacks_becomes_a_form_wide_error():
    form = CodeForm({"code": "X"})
    assert form.is_valid()
    request = RequestFactory().post("/")
    refused = ReferralError("fax_number", "Fax number: too short.")
    assert submit(request, form, _refuse(refused), done="Saved.", to="referrers:list") is None
    assert form.non_field_errors() == ["Fax number: too short."]
