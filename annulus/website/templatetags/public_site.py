"""Template tags for the public layout: the disclaimer from content/_disclaimer.md and links."""

from __future__ import annotations

from django import template
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from annulus.website.content import library
from annulus.website.site import booking_available, booking_url

register = template.Library()


@register.simple_tag
def disclaimer_html() -> SafeString:
    # Rendered from the clinic's own Markdown file, never from visitor input.
    return mark_safe(library().in_language(translation.get_language()).disclaimer_html)  # noqa: S308


@register.simple_tag
def booking_link() -> str:
    """The consultation booking page, or "" while booking is not installed."""
    return booking_url() if booking_available() else ""


@register.simple_tag
def articles() -> list[object]:
    return list(library().in_language(translation.get_language()).articles.values())
