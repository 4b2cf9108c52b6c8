"""The operators: three-valued (Kleene) logic, comparisons, and which facts left a question open."""

from __future__ import annotations

import operator

import pytest

from annulus.candidacy.engine.conditions import (
    AllOf,
    AnyKnown,
    AnyOf,
    Between,
    Compare,
    Cond,
    Is,
    Not,
    OneOf,
)
from annulus.candidacy.engine.context import Fact, Kind, Scope, Value


def fact(name: str) -> Fact:
    return Fact(name, Scope.CASE, Kind.NUMBER, "test", lambda ctx: None, lambda ctx: (name,))


A, B = fact("a"), fact("b")


class Values:
    """A stand-in context: fact name → value (missing names are unknown)."""

    def __init__(self, **values: Value) -> None:
        self.values = values
        self.cache: dict[str, Value] = {}  # nothing computed yet: every lookup asks value()

    def value(self, f: Fact) -> Value:
        return self.values.get(f.name)


class Const(Cond):
    """A condition with a fixed answer, naming `f` when unknown."""

    def __init__(self, answer: bool | None, f: Fact = A) -> None:
        self.answer = answer
        self.f = f

    def test(self, ctx: object) -> bool | None:  # type: ignore[override]
        return self.answer

    def unknown_facts(self, ctx: object) -> list[Fact]:  # type: ignore[override]
        return [self.f] if self.answer is None else []

    def facts(self):  # type: ignore[no-untyped-def]
        yield self.f


T, F, U = True, False, None
KLEENE = [(x, y) for x in (T, F, U) for y in (T, F, U)]


@pytest.mark.parametrize(("x", "y"), KLEENE)
def test_it_follows_kleene_logic_for_all_and_any(x: bool | None, y: bool | None) -> None:
    ctx = Values()
    both = AllOf((Const(x), Const(y))).test(ctx)  # type: ignore[arg-type]
    either = AnyOf((Const(x), Const(y))).test(ctx)  # type: ignore[arg-type]
    assert both == (F if F in (x, y) else U if U in (x, y) else T)
    assert either == (T if T in (x, y) else U if U in (x, y) else F)


@pytest.mark.parametrize(("x", "y"), KLEENE)
def test_it_counts_only_known_answers_in_any_known(x: bool | None, y: bool | None) -> None:
    answer = AnyKnown((Const(x), Const(y))).test(Values())  # type: ignore[arg-type]
    if T in (x, y):
        assert answer is T
    elif (x, y) == (U, U):
        assert answer is U
    else:
        assert answer is F  # every known one is false, even with one unknown


@pytest.mark.parametrize(("x", "negated"), [(T, F), (F, T), (U, U)])
def test_it_negates_and_keeps_unknown_unknown(x: bool | None, negated: bool | None) -> None:
    assert Not(Const(x)).test(Values()) is negated  # type: ignore[arg-type]


def test_it_names_only_the_unknown_facts_that_matter() -> None:
    ctx = Values()
    group = AllOf((Const(U, A), Const(T, B), Const(U, A)))
    assert group.unknown_facts(ctx) == [A]  # type: ignore[arg-type]
    assert AnyOf((Const(U, B), Const(F, A))).unknown_facts(ctx) == [B]  # type: ignore[arg-type]
    assert Not(Const(U, B)).unknown_facts(ctx) == [B]  # type: ignore[arg-type]
    assert list(AllOf((Const(T, A), Not(Const(T, B)))).facts()) == [A, B]


@pytest.mark.parametrize(
    ("values", "answer"),
    [({"a": 4}, True), ({"a": 3.99}, False), ({}, None)],
)
def test_it_compares_a_fact_with_a_number(values: dict[str, Value], answer: bool | None) -> None:
    condition = Compare(A, operator.ge, limit=4)
    assert condition.test(Values(**values)) is answer  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("values", "answer", "unknown"),
    [
        ({"a": 3.5, "b": 7}, True, []),
        ({"a": 3.6, "b": 7}, False, []),
        ({"a": 2}, None, ["b"]),
        ({"b": 7}, None, ["a"]),
        ({}, None, ["a", "b"]),
    ],
)
def test_it_compares_a_fact_with_another_fact_times_a_factor(
    values: dict[str, Value], answer: bool | None, unknown: list[str]
) -> None:
    condition = Compare(A, operator.le, other=B, times=0.5)
    ctx = Values(**values)
    assert condition.test(ctx) is answer  # type: ignore[arg-type]
    assert [f.name for f in condition.unknown_facts(ctx)] == unknown  # type: ignore[arg-type]
    assert list(condition.facts()) == [A, B]


def test_it_checks_ranges_inclusively() -> None:
    condition = Between(A, 18, 75)
    assert [condition.test(Values(a=v)) for v in (17, 18, 75, 75.5)] == [F, T, T, F]  # type: ignore[arg-type]
    assert condition.test(Values()) is None  # type: ignore[arg-type]
    assert condition.unknown_facts(Values()) == [A]  # type: ignore[arg-type]
    assert list(condition.facts()) == [A]
    # A value already computed in this evaluation is read from its cache, not asked again.
    remembered = Values(a=10)
    remembered.cache["a"] = 20
    assert condition.test(remembered) is T  # type: ignore[arg-type]


def test_it_checks_yes_no_and_choices() -> None:
    yes = Is(A, True)
    assert [yes.test(Values(a=v)) for v in (True, False, None)] == [T, F, U]  # type: ignore[arg-type]
    assert yes.unknown_facts(Values()) == [A] and list(yes.facts()) == [A]  # type: ignore[arg-type]
    choice = OneOf(A, frozenset({"none", "mild"}))
    assert [choice.test(Values(a=v)) for v in ("mild", "severe", None)] == [T, F, U]  # type: ignore[arg-type]
    assert choice.unknown_facts(Values()) == [A] and list(choice.facts()) == [A]  # type: ignore[arg-type]
