"""The closed vocabulary of operators, and the compiler from protocol YAML to conditions.

A condition is either a comparison of one fact::

    {fact: symptoms.back_pain_nrs, at_least: 4}
    {fact: symptoms.leg_pain_nrs, at_most: {fact: symptoms.back_pain_nrs, times: 0.5}}

or a combination of conditions (`all`, `any`, `any_known`, `not`). Evaluation is three-valued:
an unknown fact makes a comparison unknown (None), and `all`/`any` follow Kleene's logic, so a
known failure decides `all` and a known success decides `any` even when other facts are unknown.
"""

from __future__ import annotations

import operator
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from typing import Any as AnyValue
from typing import Final

from .context import UNSET, Context, Fact, Kind, Scope
from .errors import ProtocolError
from .facts import FACTS

__all__ = [
    "COMBINATORS",
    "OPERATORS",
    "AllOf",
    "AnyKnown",
    "AnyOf",
    "Between",
    "Compare",
    "Cond",
    "Is",
    "Not",
    "OneOf",
    "compile_condition",
]

OPERATORS: Final[dict[str, str]] = {
    "at_least": "number ≥ operand (a number, or {fact: NAME, times: K})",
    "at_most": "number ≤ operand",
    "greater_than": "number > operand",
    "less_than": "number < operand",
    "between": "lo ≤ number ≤ hi, written [lo, hi]",
    "equals": "number or choice equal to the value",
    "one_of": "number or choice among the listed values",
    "is": "boolean fact is true or false",
}

COMBINATORS: Final[dict[str, str]] = {
    "all": "every condition holds (false as soon as one is false; else unknown if one is unknown)",
    "any": "some condition holds (true as soon as one is true; else unknown if one is unknown)",
    "any_known": "some condition holds; false when every *known* one is false; unknown only "
    "when all are unknown",
    "not": "the condition does not hold (unknown stays unknown)",
}

_COMPARE: Final[dict[str, Callable[[AnyValue, AnyValue], bool]]] = {
    "at_least": operator.ge,
    "at_most": operator.le,
    "greater_than": operator.gt,
    "less_than": operator.lt,
    "equals": operator.eq,
}


class Cond(ABC):
    """A compiled condition. `test` answers True, False or None (unknown)."""

    __slots__ = ()

    @abstractmethod
    def test(self, ctx: Context) -> bool | None:
        """Evaluate in `ctx`."""

    @abstractmethod
    def unknown_facts(self, ctx: Context) -> list[Fact]:
        """The unknown facts that leave this condition open in `ctx` (call when test is None)."""

    @abstractmethod
    def facts(self) -> Iterator[Fact]:
        """Every fact the condition mentions."""


class Compare(Cond):
    """`fact OP limit`, where the limit is a number or another fact times a factor."""

    __slots__ = ("fact", "limit", "op", "other", "times")

    def __init__(
        self,
        fact: Fact,
        op: Callable[[AnyValue, AnyValue], bool],
        limit: float = 0.0,
        other: Fact | None = None,
        times: float = 1.0,
    ) -> None:
        self.fact = fact
        self.op = op
        self.limit = limit
        self.other = other
        self.times = times

    def test(self, ctx: Context) -> bool | None:
        value = ctx.cache.get(self.fact.name, UNSET)
        if value is UNSET:
            value = ctx.value(self.fact)
        if value is None:
            return None
        if self.other is None:
            return self.op(value, self.limit)
        other = ctx.value(self.other)
        if other is None:
            return None
        return self.op(value, other * self.times)  # type: ignore[operator]  # numbers only

    def unknown_facts(self, ctx: Context) -> list[Fact]:
        facts = [self.fact] if self.other is None else [self.fact, self.other]
        return [fact for fact in facts if ctx.value(fact) is None]

    def facts(self) -> Iterator[Fact]:
        yield self.fact
        if self.other is not None:
            yield self.other


class Between(Cond):
    """`low ≤ fact ≤ high`."""

    __slots__ = ("fact", "high", "low")

    def __init__(self, fact: Fact, low: float, high: float) -> None:
        self.fact = fact
        self.low = low
        self.high = high

    def test(self, ctx: Context) -> bool | None:
        value = ctx.cache.get(self.fact.name, UNSET)
        if value is UNSET:
            value = ctx.value(self.fact)
        if value is None:
            return None
        return bool(self.low <= value <= self.high)

    def unknown_facts(self, ctx: Context) -> list[Fact]:
        return [self.fact]

    def facts(self) -> Iterator[Fact]:
        yield self.fact


class Is(Cond):
    """A boolean fact is `expected`."""

    __slots__ = ("expected", "fact")

    def __init__(self, fact: Fact, expected: bool) -> None:
        self.fact = fact
        self.expected = expected

    def test(self, ctx: Context) -> bool | None:
        value = ctx.cache.get(self.fact.name, UNSET)
        if value is UNSET:
            value = ctx.value(self.fact)
        return None if value is None else value is self.expected

    def unknown_facts(self, ctx: Context) -> list[Fact]:
        return [self.fact]

    def facts(self) -> Iterator[Fact]:
        yield self.fact


class OneOf(Cond):
    """A choice (or number) fact is one of `allowed`."""

    __slots__ = ("allowed", "fact")

    def __init__(self, fact: Fact, allowed: frozenset[str | float]) -> None:
        self.fact = fact
        self.allowed = allowed

    def test(self, ctx: Context) -> bool | None:
        value = ctx.cache.get(self.fact.name, UNSET)
        if value is UNSET:
            value = ctx.value(self.fact)
        return None if value is None else value in self.allowed

    def unknown_facts(self, ctx: Context) -> list[Fact]:
        return [self.fact]

    def facts(self) -> Iterator[Fact]:
        yield self.fact


class _Group(Cond):
    __slots__ = ("items",)

    def __init__(self, items: tuple[Cond, ...]) -> None:
        self.items = items

    def unknown_facts(self, ctx: Context) -> list[Fact]:
        found: list[Fact] = []
        for item in self.items:
            if item.test(ctx) is None:
                found.extend(f for f in item.unknown_facts(ctx) if f not in found)
        return found

    def facts(self) -> Iterator[Fact]:
        for item in self.items:
            yield from item.facts()


class AllOf(_Group):
    """Kleene AND: false if any is false, else unknown if any is unknown, else true."""

    __slots__ = ()

    def test(self, ctx: Context) -> bool | None:
        result: bool | None = True
        for item in self.items:
            answer = item.test(ctx)
            if answer is False:
                return False
            if answer is None:
                result = None
        return result


class AnyOf(_Group):
    """Kleene OR: true if any is true, else unknown if any is unknown, else false."""

    __slots__ = ()

    def test(self, ctx: Context) -> bool | None:
        result: bool | None = False
        for item in self.items:
            answer = item.test(ctx)
            if answer:
                return True
            if answer is None:
                result = None
        return result


class AnyKnown(_Group):
    """True if any is true; false if some are known and all known ones are false; else unknown.

    "ODI ≥ 30 or RMDQ ≥ 9: either one suffices; fails only when every known one is below."
    """

    __slots__ = ()

    def test(self, ctx: Context) -> bool | None:
        result: bool | None = None
        for item in self.items:
            answer = item.test(ctx)
            if answer:
                return True
            if answer is False:
                result = False
        return result


class Not(Cond):
    """Negation; unknown stays unknown."""

    __slots__ = ("item",)

    def __init__(self, item: Cond) -> None:
        self.item = item

    def test(self, ctx: Context) -> bool | None:
        answer = self.item.test(ctx)
        return None if answer is None else not answer

    def unknown_facts(self, ctx: Context) -> list[Fact]:
        return self.item.unknown_facts(ctx)

    def facts(self) -> Iterator[Fact]:
        return self.item.facts()


_GROUPS: Final[dict[str, type[_Group]]] = {"all": AllOf, "any": AnyOf, "any_known": AnyKnown}


def compile_condition(raw: object, where: str, scopes: frozenset[Scope]) -> Cond:
    """Compile one condition from protocol YAML; `where` names it in error messages.

    Only facts whose scope is in `scopes` may be used. Raises `ProtocolError` for anything outside
    the vocabulary: unknown fact or operator, an operator that does not fit the fact's kind, a
    choice the fact does not have, a malformed operand.
    """
    if not isinstance(raw, dict) or not raw:
        raise ProtocolError(f"{where}: a condition must be a mapping like {{fact: NAME, is: true}}")
    if "fact" not in raw:
        if len(raw) != 1:
            raise ProtocolError(
                f"{where}: use exactly one of {', '.join(COMBINATORS)} (got {_words(raw)})"
            )
        (key, value), *_ = raw.items()
        if key == "not":
            return Not(compile_condition(value, f"{where}.not", scopes))
        if key not in _GROUPS:
            known = ", ".join([*COMBINATORS, "fact"])
            raise ProtocolError(f"{where}: unknown key {key!r} (expected one of {known})")
        if not isinstance(value, list) or not value:
            raise ProtocolError(f"{where}.{key}: must be a non-empty list of conditions")
        items = tuple(
            compile_condition(item, f"{where}.{key}[{i}]", scopes) for i, item in enumerate(value)
        )
        return _GROUPS[key](items)
    ops = [key for key in raw if key != "fact"]
    if len(ops) != 1:
        raise ProtocolError(
            f"{where}: a comparison needs `fact` and exactly one operator "
            f"({', '.join(OPERATORS)}); got {_words(raw)}"
        )
    fact = _fact(raw["fact"], f"{where}.fact", scopes)
    op = ops[0]
    if op not in OPERATORS:
        raise ProtocolError(f"{where}: unknown operator {op!r} (known: {', '.join(OPERATORS)})")
    return _compile_comparison(fact, op, raw[op], f"{where}.{op}", scopes)


def _compile_comparison(
    fact: Fact, op: str, operand: object, where: str, scopes: frozenset[Scope]
) -> Cond:
    kind = fact.kind
    if kind is Kind.BOOLEAN:
        if op != "is" or not isinstance(operand, bool):
            raise ProtocolError(f"{where}: {fact.name} is a yes/no fact; write `is: true|false`")
        return Is(fact, operand)
    if kind is Kind.CHOICE:
        if op == "equals":
            return OneOf(fact, frozenset({_choice(fact, operand, where)}))
        if op == "one_of" and isinstance(operand, list) and operand:
            return OneOf(fact, frozenset(_choice(fact, item, where) for item in operand))
        raise ProtocolError(
            f"{where}: {fact.name} is a choice; write `equals: VALUE` or `one_of: [VALUES]`"
        )
    if kind is not Kind.NUMBER:
        raise ProtocolError(f"{where}: {fact.name} is {kind} and is for explanations only")
    if op == "between":
        if not (isinstance(operand, list) and len(operand) == 2):
            raise ProtocolError(f"{where}: write `between: [low, high]`")
        low, high = (_number(item, where) for item in operand)
        if low > high:
            raise ProtocolError(f"{where}: low ({low}) is above high ({high})")
        return Between(fact, low, high)
    if op == "one_of":
        if not isinstance(operand, list) or not operand:
            raise ProtocolError(f"{where}: write `one_of: [numbers]`")
        return OneOf(fact, frozenset(_number(item, where) for item in operand))
    if op == "is":
        raise ProtocolError(f"{where}: {fact.name} is a number; `is` is for yes/no facts")
    if isinstance(operand, dict):
        return _compile_relative(fact, op, operand, where, scopes)
    return Compare(fact, _COMPARE[op], limit=_number(operand, where))


def _compile_relative(
    fact: Fact, op: str, operand: dict[object, object], where: str, scopes: frozenset[Scope]
) -> Cond:
    unknown = set(operand) - {"fact", "times"}
    if unknown or "fact" not in operand:
        raise ProtocolError(f"{where}: write {{fact: NAME, times: NUMBER}}")
    other = _fact(operand["fact"], f"{where}.fact", scopes)
    if other.kind is not Kind.NUMBER:
        raise ProtocolError(f"{where}.fact: {other.name} is not a number")
    times = _number(operand.get("times", 1), f"{where}.times")
    return Compare(fact, _COMPARE[op], other=other, times=times)


def _fact(name: object, where: str, scopes: frozenset[Scope]) -> Fact:
    if not isinstance(name, str) or name not in FACTS:
        raise ProtocolError(f"{where}: unknown fact {name!r} (see docs/criteria-authoring.md)")
    fact = FACTS[name]
    if fact.scope not in scopes:
        allowed = " or ".join(sorted(scopes))
        raise ProtocolError(f"{where}: {name} is a {fact.scope} fact; here only {allowed} facts")
    return fact


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProtocolError(f"{where}: {value!r} is not a number")
    return value


def _choice(fact: Fact, value: object, where: str) -> str:
    if value not in fact.choices:
        raise ProtocolError(
            f"{where}: {value!r} is not a value of {fact.name} ({', '.join(fact.choices)})"
        )
    return value


def _words(raw: dict[object, object]) -> str:
    return ", ".join(str(key) for key in raw)
