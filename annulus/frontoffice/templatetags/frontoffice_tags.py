"""`cents` shows an amount in cents as dollars; `latest_gfe` finds the patient's newest Good
Faith Estimate, for the consent pages and PDF that name it."""

from __future__ import annotations

from typing import Any

from django import template

from annulus.frontoffice.models import GoodFaithEstimate, dollars

register = template.Library()


@register.filter
def cents(value: Any) -> str:
    try:
        return dollars(int(value))
    except (TypeError, ValueError):
        return ""


@register.simple_tag
def latest_gfe(patient: Any) -> GoodFaithEstimate | None:
    if patient is None or getattr(patient, "pk", None) is None:
        return None
    return GoodFaithEstimate.objects.filter(patient=patient).exclude(pdf_sha256="").first()
