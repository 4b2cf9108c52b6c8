"""The candidacy engine: pure Python, no Django, no database.

    from annulus.candidacy.engine import evaluate, load_protocol, parse_case

    decision = evaluate(parse_case(case_json), load_protocol("annulus-default"))
    decision.to_dict()["outcome"]      # "candidate", "not_candidate", ...

`parse_case` validates a case file (spec §1) and raises `CaseError` naming each bad path.
`load_protocol` reads `protocols/<id>/v<N>.yaml` (newest version by default), compiled and cached.
`evaluate` returns a `Decision` whose `to_dict()` is the JSON of spec §3 (`to_json()` gives it as
one compact line, fast, for batches); `render_text` writes it as a consult note. The fact and
operator vocabulary is in `FACTS`, `OPERATORS` and `COMBINATORS`.
"""

from __future__ import annotations

from .case import Case, parse_case, serialize_case
from .conditions import COMBINATORS, OPERATORS
from .decision import (
    OUTCOMES,
    ROUTES,
    STATUSES,
    CriterionResult,
    Decision,
    Outcome,
    ProtocolRef,
    Route,
    Status,
)
from .errors import CaseError, CaseIssue, ProtocolError, UnknownProtocolError
from .evaluate import evaluate
from .facts import FACTS
from .levels import LEVELS, Level
from .protocol import (
    DEFAULT_PROTOCOL,
    Protocol,
    list_protocols,
    load_protocol,
    resolve_protocol,
)
from .render_text import render_text

__all__ = [
    "COMBINATORS",
    "DEFAULT_PROTOCOL",
    "FACTS",
    "LEVELS",
    "OPERATORS",
    "OUTCOMES",
    "ROUTES",
    "STATUSES",
    "Case",
    "CaseError",
    "CaseIssue",
    "CriterionResult",
    "Decision",
    "Level",
    "Outcome",
    "Protocol",
    "ProtocolError",
    "ProtocolRef",
    "Route",
    "Status",
    "UnknownProtocolError",
    "evaluate",
    "list_protocols",
    "load_protocol",
    "parse_case",
    "render_text",
    "resolve_protocol",
    "serialize_case",
]
