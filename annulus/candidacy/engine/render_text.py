"""A decision as a consult note: the outcome, one line per criterion, then what is missing."""

from __future__ import annotations

import textwrap
from typing import Final

from .decision import Decision, Outcome, Route, Status

__all__ = ["ROUTE_WORDS", "render_text"]

ROUTE_WORDS: Final[dict[Route, str]] = {
    "emergency_department": "the emergency department now",
    "urgent_medical_review": "urgent medical review",
    "fibrin_injection": "intra-annular fibrin injection",
    "conservative_care": "conservative care",
    "radicular_pain_care": "radicular pain care",
    "facet_directed_care": "facet-directed care",
    "si_joint_care": "SI joint care",
    "fusion_consult": "a fusion consult",
    "spine_surgery_consult": "a spine surgery consult",
    "multidisciplinary_review": "multidisciplinary review",
}

_HEADLINES: Final[dict[Outcome, str]] = {
    "urgent_referral": "URGENT REFERRAL: a red flag is present. Stop the candidacy work-up",
    "not_candidate": "NOT A CANDIDATE for intra-annular fibrin",
    "needs_more_information": "NEEDS MORE INFORMATION before a decision (see the to-do list)",
    "candidate": "CANDIDATE for intra-annular fibrin",
}

_STATUS: Final[dict[Status, str]] = {
    "pass": "pass",
    "fail": "FAIL",
    "missing": "missing",
    "warning": "WARNING",
    "not_applicable": "n/a",
}

_WIDTH = 100


def render_text(decision: Decision) -> str:
    """The decision as plain text a physician reads top to bottom (ends with a newline)."""
    protocol = decision.protocol
    assessed = f", assessed {decision.assessed_on.isoformat()}" if decision.assessed_on else ""
    lines = [
        f"Candidacy decision for case {decision.case_id}{assessed}",
        f"Protocol {protocol.id} v{protocol.version} (sha256 {protocol.sha256})",
        "",
        f"Outcome: {_headline(decision)}.",
    ]
    if decision.routes:
        routes = ", ".join(ROUTE_WORDS[route] for route in decision.routes)
        lines.append(f"Next: {routes}.")
    lines += ["", "Criteria"]
    id_width = max((len(c.id) for c in decision.criteria), default=0)
    indent = " " * (2 + 8 + 1 + id_width + 1)
    for c in decision.criteria:
        where = f"{c.level}: " if c.level else ""
        head = f"  {_STATUS[c.status]:<8} {c.id:<{id_width}} "
        lines += textwrap.wrap(
            where + c.explanation,
            _WIDTH,
            initial_indent=head,
            subsequent_indent=indent,
            break_on_hyphens=False,
        )
    lines += ["", "Warnings"]
    lines += [f"  - {w}" for w in decision.warnings] or ["  none"]
    lines += ["", "To do"]
    lines += [f"  - {item}" for item in decision.missing] or ["  nothing missing"]
    return "\n".join(lines) + "\n"


def _headline(decision: Decision) -> str:
    headline = _HEADLINES[decision.outcome]
    if decision.outcome == "candidate":
        return f"{headline} at {', '.join(decision.levels)}"
    return headline
