"""`{% protocol_notice patient %}`: marks a decision made under an older protocol version."""

from __future__ import annotations

from typing import Any

from django import template

from annulus.candidacy.clinic_protocol import stale_decision

register = template.Library()


@register.inclusion_tag("candidacy/_protocol_notice.html")
def protocol_notice(patient: Any) -> dict[str, Any]:
    return {"patient": patient, "stale": stale_decision(patient)}
