"""Filters for the report templates: percentages and means that say "too few" honestly."""

from __future__ import annotations

from typing import Any

from django import template

from annulus.analytics import render

register = template.Library()


@register.filter
def pct(value: float | None) -> str:
    return render.pct(value)


@register.filter
def mean_ci(found: dict[str, Any]) -> str:
    return render._mean(found)


@register.filter
def baseline_mean(found: dict[str, Any]) -> str:
    return render._baseline_mean(found)


@register.filter
def rate_of(found: dict[str, Any] | None) -> str:
    if not found:
        return "—"
    return render.rate_text(
        found["rate"], found["ci_low"], found["ci_high"], found["count"], found["n"]
    )


MEASURE_LABELS = {
    "composite_success": "composite success",
    "back_pain_improved": "back pain clearly better",
    "rmdq_improved": "RMDQ clearly better",
}


@register.filter
def measure_label(measure: str) -> str:
    return MEASURE_LABELS.get(measure, measure.replace("_", " "))
