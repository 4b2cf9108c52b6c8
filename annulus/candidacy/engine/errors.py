"""The engine's exceptions: a refused case and an unusable protocol."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CaseError", "CaseIssue", "ProtocolError", "UnknownProtocolError"]


@dataclass(frozen=True, slots=True)
class CaseIssue:
    """One reason a case file was refused: where (a dotted path) and which rule it broke."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class CaseError(ValueError):
    """A case file that cannot be evaluated; it is refused as a whole (spec §1).

    `issues` lists every problem found, each naming its path, e.g.
    ``imaging.levels.L4-L5.pfirrmann_grade: must be between 1 and 5 (got 7)``.
    """

    def __init__(self, issues: list[CaseIssue]) -> None:
        self.issues: tuple[CaseIssue, ...] = tuple(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


class ProtocolError(ValueError):
    """A protocol file that is missing, malformed, or uses a word outside the vocabulary."""


class UnknownProtocolError(ProtocolError):
    """No released protocol has the requested id (or version)."""
