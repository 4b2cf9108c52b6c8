"""The decision (spec §3): the outcome, the levels and routes, and a trace of every criterion."""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal, NamedTuple

from .levels import Level

__all__ = [
    "OUTCOMES",
    "ROUTES",
    "STATUSES",
    "CriterionResult",
    "Decision",
    "Outcome",
    "ProtocolRef",
    "Route",
    "Status",
]

Outcome = Literal["urgent_referral", "not_candidate", "needs_more_information", "candidate"]
OUTCOMES: Final[tuple[Outcome, ...]] = (
    "urgent_referral",
    "not_candidate",
    "needs_more_information",
    "candidate",
)

Route = Literal[
    "emergency_department",
    "urgent_medical_review",
    "fibrin_injection",
    "conservative_care",
    "radicular_pain_care",
    "facet_directed_care",
    "si_joint_care",
    "fusion_consult",
    "spine_surgery_consult",
    "multidisciplinary_review",
]
ROUTES: Final[tuple[Route, ...]] = (
    "emergency_department",
    "urgent_medical_review",
    "fibrin_injection",
    "conservative_care",
    "radicular_pain_care",
    "facet_directed_care",
    "si_joint_care",
    "fusion_consult",
    "spine_surgery_consult",
    "multidisciplinary_review",
)

Status = Literal["pass", "fail", "missing", "warning", "not_applicable"]
STATUSES: Final[tuple[Status, ...]] = ("pass", "fail", "missing", "warning", "not_applicable")


@dataclass(frozen=True, slots=True)
class ProtocolRef:
    """Which protocol file decided: id, version and the sha256 of its bytes."""

    id: str
    version: int
    sha256: str

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "version": self.version, "sha256": self.sha256}


class CriterionResult(NamedTuple):
    """One line of the trace. `title` is for people reading text; it is not in the JSON.

    A named tuple rather than a dataclass: a decision holds dozens, and batches make millions.
    """

    id: str
    level: Level | None
    status: Status
    explanation: str
    source: str
    title: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "level": self.level,
            "status": self.status,
            "explanation": self.explanation,
            "source": self.source,
        }


_RESULT_KEYS = ("id", "level", "status", "explanation", "source")  # CriterionResult's JSON fields
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_encode_text: Callable[[str], str] = json.encoder.encode_basestring
_BY_RESULT: dict[int, tuple[CriterionResult, str]] = {}
_PROTOCOLS: dict[ProtocolRef, str] = {}
_HEADS: dict[tuple[str, str | None, str], str] = {}
_TAILS: dict[str, str] = {}
_MEMO_SIZE = 65536


def _criterion_json(criterion: CriterionResult) -> str:
    """One criterion line as compact JSON, from remembered pieces around its explanation."""
    cid, level, status, explanation, source, _ = criterion
    head = _HEADS.get((cid, level, status))
    if head is None:
        # Few: an id, a level and a status for each criterion of the protocols in use.
        head = _encode({"id": cid, "level": level, "status": status})[:-1] + ',"explanation":'
        _HEADS[(cid, level, status)] = head
    tail = _TAILS.get(source)
    if tail is None:
        tail = _TAILS[source] = f',"source":{_encode(source)}}}'
    return head + _encode_text(explanation) + tail


@dataclass(frozen=True, slots=True)
class Decision:
    """What the engine decided for one case under one protocol.

    `to_dict()` is exactly the JSON of spec §3. `assessed_on` is kept for the text rendering.
    """

    case_id: str
    protocol: ProtocolRef
    outcome: Outcome
    levels: tuple[Level, ...]
    routes: tuple[Route, ...]
    criteria: tuple[CriterionResult, ...]
    missing: tuple[str, ...]
    warnings: tuple[str, ...]
    assessed_on: date | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "case_id": self.case_id,
            "protocol": self.protocol.to_dict(),
            "outcome": self.outcome,
            "levels": list(self.levels),
            "routes": list(self.routes),
            "criteria": [
                dict(zip(_RESULT_KEYS, criterion, strict=False)) for criterion in self.criteria
            ],
            "missing": list(self.missing),
            "warnings": list(self.warnings),
        }

    def to_json(self) -> str:
        """`to_dict()` as compact JSON (one line, UTF-8 text), built fast for batches.

        Equal to `json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))`. The
        JSON of a criterion line is remembered: across a batch the same lines recur constantly.
        """
        enc = _encode_text
        protocol = _PROTOCOLS.get(self.protocol)
        if protocol is None:
            protocol = _PROTOCOLS[self.protocol] = _encode(self.protocol.to_dict())
        # Levels and routes are short lists of fixed words: encoded by the C string encoder.
        head = (
            f'{{"case_id":{enc(self.case_id)},"protocol":{protocol},'
            f'"outcome":"{self.outcome}","levels":[{",".join(map(enc, self.levels))}],'
            f'"routes":[{",".join(map(enc, self.routes))}]'
        )
        # The engine hands out the same CriterionResult object for a remembered result, so its
        # JSON is remembered by object (the entry keeps the object, so its id is not reused).
        memo = _BY_RESULT
        parts = []
        for criterion in self.criteria:
            entry = memo.get(id(criterion))
            if entry is not None and entry[0] is criterion:
                parts.append(entry[1])
                continue
            text = _criterion_json(criterion)
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            memo[id(criterion)] = (criterion, text)
            parts.append(text)
        return (
            f'{head},"criteria":[{",".join(parts)}],'
            f'"missing":[{",".join(map(enc, self.missing))}],'
            f'"warnings":[{",".join(map(enc, self.warnings))}]}}'
        )
