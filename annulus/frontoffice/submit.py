"""The front desk's form round: call the action; its refusal goes on the form, else flash and go.

Both action modules refuse with an error that names the form field (`field`, or None for the
whole form) and says why (`message`). A field the form does not have becomes a form-wide error,
so the message is never lost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from annulus.frontoffice.coverage_actions import CoverageError
from annulus.frontoffice.referral_actions import ReferralError


def submit(
    request: HttpRequest,
    form: forms.Form,
    action: Callable[[], object],
    *,
    done: str,
    to: str,
    **url_kwargs: Any,
) -> HttpResponse | None:
    """The redirect to `to` after `action` succeeded (with `done` flashed), or None when it
    refused and the form, now carrying the error, should be shown again."""
    try:
        action()
    except (CoverageError, ReferralError) as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None
    messages.success(request, done)
    return redirect(to, **url_kwargs)
