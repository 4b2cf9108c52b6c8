"""What a condition sees while it is evaluated: the case, and maybe one disc level or discogram.

A `Fact` is one named value of the closed vocabulary (the registry is in `facts.py`). Facts are
computed on first use and remembered for the rest of the evaluation, so a protocol can mention
the same fact in many criteria at no extra cost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final, Protocol

from .case import Case, Discogram, LevelFindings
from .levels import Level

if TYPE_CHECKING:
    from .discography import DiscographyFindings

__all__ = [
    "UNSET",
    "Condition",
    "Context",
    "DiscogramRules",
    "Fact",
    "Kind",
    "Scope",
    "Value",
    "number_text",
]

Value = bool | int | float | str | tuple[str, ...] | None
"""A fact's value. `None` means unknown; conditions then answer `None` too (three-valued logic)."""


class Scope(StrEnum):
    """Where a fact can be used: anywhere (`case`), in level criteria, or in discogram rules."""

    CASE = "case"
    LEVEL = "level"
    DISC = "disc"


class Kind(StrEnum):
    """What a fact holds, which decides the operators it accepts."""

    NUMBER = "number"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    LEVELS = "levels"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class Fact:
    """One word of the protocol vocabulary.

    `get` computes the value in a context; `todo` says, for the coordinator's to-do list, what to
    obtain when the value is unknown; `unit` formats a number (`{} months`), with `unit_one` for 1.
    """

    name: str
    scope: Scope
    kind: Kind
    description: str
    get: Callable[[Context], Value]
    todo: Callable[[Context], tuple[str, ...]]
    choices: tuple[str, ...] = ()
    unit: str = "{}"
    unit_one: str | None = None

    def display(self, value: Value) -> str:
        """The value as a physician reads it: `14 months`, `yes`, `L4-L5, L5-S1`, `not recorded`."""
        kind = type(value)
        if kind is float or kind is int:
            unit = self.unit_one if value == 1 and self.unit_one else self.unit
            return unit.format(number_text(value))  # type: ignore[arg-type]
        if kind is str:
            return value  # type: ignore[return-value]
        if kind is bool:
            return "yes" if value else "no"
        if value is None:
            return "not recorded"
        return ", ".join(value) if value else "none"  # type: ignore[arg-type]


def number_text(value: float) -> str:
    """`14.0` → `14`, `3.5` → `3.5`, `33.33333333` → `33.3333`."""
    if type(value) is int or value.is_integer():
        return str(int(value))
    return f"{value:.6g}"


class Condition(Protocol):
    """A compiled protocol condition (see `conditions.py`)."""

    def test(self, ctx: Context) -> bool | None:
        """True, False, or None when unknown facts leave the answer open."""

    def unknown_facts(self, ctx: Context) -> list[Fact]:
        """The unknown facts that left `test` open (empty when it is not None)."""


@dataclass(frozen=True, slots=True)
class DiscogramRules:
    """The protocol's definition of a positive disc and of a negative control disc."""

    positive: Condition
    negative_control: Condition


_CASE: Final = Scope.CASE  # read on every fact lookup: a module global, not an enum attribute

UNSET: Final[Any] = object()
"""Marks a fact not computed yet in `Context.cache` (None is a value: unknown)."""


class Context:
    """One evaluation scope. A level or disc context answers case facts through its root."""

    __slots__ = ("cache", "case", "disc", "discography", "findings", "level", "parent", "rules")

    def __init__(
        self,
        case: Case,
        rules: DiscogramRules,
        *,
        parent: Context | None = None,
        level: Level | None = None,
        findings: LevelFindings | None = None,
        disc: Discogram | None = None,
    ) -> None:
        self.case = case
        self.rules = rules
        self.parent = parent
        self.level = level
        self.findings = findings
        self.disc = disc
        self.discography: DiscographyFindings | None = None
        self.cache: dict[str, Value] = {}
        """Fact name → value, for the facts computed so far (hot paths read it directly)."""

    def value(self, fact: Fact) -> Value:
        """The value of `fact` here (computed once per context)."""
        name = fact.name
        cache = self.cache
        value: Value = cache.get(name, UNSET)
        if value is UNSET:
            parent = self.parent
            if parent is not None and fact.scope is _CASE:
                value = parent.value(fact)
            else:
                value = fact.get(self)
            cache[name] = value
        return value

    def child(
        self,
        level: Level,
        *,
        findings: LevelFindings | None = None,
        disc: Discogram | None = None,
    ) -> Context:
        """A context for one disc level (level criteria) or one discogram (discogram rules)."""
        return Context(
            self.case, self.rules, parent=self, level=level, findings=findings, disc=disc
        )

    @property
    def root(self) -> Context:
        """The case-wide context."""
        return self if self.parent is None else self.parent
