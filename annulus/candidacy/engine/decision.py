"""The decision (spec §3): the outcome, the levels and routes, and a trace of every criterion."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from json.encoder import encode_basestring
from typing import Final, Literal, NamedTuple, TypeVar

from .levels import Level

T = TypeVar("T", str, bytes)

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
# json's own C string encoder (what `json.dumps(..., ensure_ascii=False)` uses for every str), so
# fragments joined by hand are byte for byte what the encoder would write.
_str: Final = encode_basestring
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_CRITERION_JSON: dict[CriterionResult, str] = {}
_CRITERION_BYTES: dict[CriterionResult, bytes] = {}
# A line's JSON before and after its explanation, by (id, level, status, source): a line seen
# for the first time (a date or a summary makes a few new ones every case) encodes only its
# explanation.
_AROUND_JSON: dict[tuple[str, str | None, str, str], tuple[str, str]] = {}
_AROUND_BYTES: dict[tuple[str, str | None, str, str], tuple[bytes, bytes]] = {}
_PROTOCOL_JSON: dict[ProtocolRef, str] = {}
_MEMO_SIZE = 8192


def _strings(items: tuple[str, ...]) -> str:
    """A JSON array of strings, compact."""
    return f"[{','.join(map(_str, items))}]" if items else "[]"


def _criterion_json(
    result: CriterionResult,
    around: dict[tuple[str, str | None, str, str], tuple[T, T]],
    finish: Callable[[str], T],
) -> T:
    """One criterion line's JSON, finished as text or as UTF-8."""
    ident, level, status, explanation, source, _ = result
    key = (ident, level, status, source)
    parts = around.get(key)
    if parts is None:
        if len(around) >= _MEMO_SIZE:
            around.clear()
        parts = around[key] = (
            finish(
                f'{{"id":{_str(ident)},"level":{"null" if level is None else _str(level)},'
                f'"status":{_str(status)},"explanation":'
            ),
            finish(f',"source":{_str(source)}}}'),
        )
    return parts[0] + finish(_str(explanation)) + parts[1]


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

        Equal to `json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))`: the
        fragments are joined by hand around json's own string encoder. The JSON of a criterion
        line is remembered: across a batch the same lines recur constantly.
        """
        head, tail = self._envelope()
        lines = _remembered(_CRITERION_JSON, _AROUND_JSON, self.criteria, str)
        return head + ",".join(lines) + tail

    def to_json_bytes(self) -> bytes:
        """`to_json()` encoded as UTF-8, built from UTF-8 pieces (what a batch writes).

        Explanations hold non-ASCII signs (≥, °), so encoding a whole 10 KB decision took a
        slow character-by-character path for every case; here each criterion line is encoded
        once and remembered, and only the case's own parts are encoded each time.
        """
        head, tail = self._envelope()
        lines = _remembered(_CRITERION_BYTES, _AROUND_BYTES, self.criteria, str.encode)
        if not lines:
            return (head + tail).encode()
        # One join copies the ~10 KB once; adding head and tail to it would copy it twice more.
        lines[0] = head.encode() + lines[0]
        lines[-1] += tail.encode()
        return b",".join(lines)

    def _envelope(self) -> tuple[str, str]:
        """The decision's JSON before and after its criterion lines."""
        protocol = _PROTOCOL_JSON.get(self.protocol)
        if protocol is None:
            protocol = _PROTOCOL_JSON[self.protocol] = _encode(self.protocol.to_dict())
        head = (
            f'{{"case_id":{_str(self.case_id)},"protocol":{protocol},'
            f'"outcome":{_str(self.outcome)},"levels":{_strings(self.levels)},'
            f'"routes":{_strings(self.routes)},"criteria":['
        )
        tail = f'],"missing":{_strings(self.missing)},"warnings":{_strings(self.warnings)}}}'
        return head, tail


def _remembered(
    memo: dict[CriterionResult, T],
    around: dict[tuple[str, str | None, str, str], tuple[T, T]],
    criteria: Iterable[CriterionResult],
    finish: Callable[[str], T],
) -> list[T]:
    """Each criterion line's JSON, finished (as text or as UTF-8) and remembered by the whole line.

    The whole line is the key (its title too, which goes with its id): no slice to make.
    """
    get = memo.get
    found: list[T] = []
    append = found.append
    for criterion in criteria:
        line = get(criterion)
        if line is None:
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            line = memo[criterion] = _criterion_json(criterion, around, finish)
        append(line)
    return found
