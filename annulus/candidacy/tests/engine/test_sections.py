"""A section compiled to one function (sections.py): plain passes inline, in order, the rest judged.

The whole-protocol equivalence (every decision byte for byte, generated cases, four protocols) is
in test_compiled_equivalence.py; here are the section's own promises on small made-up criteria:
the order of the lines, what goes to `judge`, facts read once, and a fact read only on one
criterion's pass branch read again by a later criterion.
"""

from __future__ import annotations

import operator
from typing import Any

import pytest

from annulus.candidacy.engine.conditions import Compare, Cond, Is
from annulus.candidacy.engine.context import Fact, Kind, Scope, Value
from annulus.candidacy.engine.decision import CriterionResult
from annulus.candidacy.engine.protocol import Check, Criterion
from annulus.candidacy.engine.sections import compile_section
from annulus.candidacy.engine.templates import Template

from .test_fastpath import Unknown


class Values:
    """A stand-in context: the facts' values, what was computed and what was asked of it."""

    level = "L4-L5"
    case = None

    def __init__(self, **values: Value) -> None:
        self.values = values
        self.cache: dict[str, Value] = {}
        self.computed: list[str] = []  # by a fact's getter
        self.asked: list[str] = []  # through `value` (the root's cache, for a level context)

    def value(self, fact: Fact) -> Value:
        self.asked.append(fact.name)
        value = self.cache[fact.name] = fact.get(self)  # type: ignore[arg-type]
        return value


def fact(name: str, scope: Scope = Scope.CASE, kind: Kind = Kind.BOOLEAN) -> Fact:
    def get(ctx: Any) -> Value:
        ctx.computed.append(name)
        value: Value = ctx.values.get(name)
        return value

    return Fact(name, scope, kind, "test", get, lambda ctx: (name,))


P, Q, N = fact("p"), fact("q"), fact("n", kind=Kind.NUMBER)
PLAIN = Template("Plain.", ("Plain.",), ())


def criterion(
    ident: str,
    *conditions: Cond,
    explanation: Template = PLAIN,
    not_published: bool = False,
    warn_when: tuple[tuple[Cond, Template], ...] = (),
) -> Criterion:
    return Criterion(
        id=ident,
        title=f"{ident} title",
        rule="rule",
        source="source",
        scope=Scope.CASE,
        explanation=explanation,
        checks=tuple(Check(condition, "conservative_care") for condition in conditions),
        if_not_met="fail",
        if_unknown="missing",
        applies_when=None,
        not_applicable=None,
        warn_when=warn_when,
        todo=None,
        not_published=not_published,
    )


def run(criteria: list[Criterion], ctx: Values, *, at_root: bool = True) -> list[object]:
    """The section's lines: a pass line as (id, level, text), a warning line as (id, level,
    text, "warning"), a warning of the decision as ("warn", text), a judged criterion as its id."""
    lines: list[object] = []

    def append(result: CriterionResult) -> None:
        assert result.status in ("pass", "warning") and result.source == "source"
        assert result.title == f"{result.id} title"
        line = (result.id, result.level, result.explanation)
        lines.append(line if result.status == "pass" else (*line, "warning"))

    def warn(text: str) -> None:
        lines.append(("warn", text))

    def judge(judged: Criterion, judged_ctx: object) -> None:
        assert judged_ctx is ctx
        lines.append(judged.id)

    section = compile_section(criteria, "test", at_root=at_root)
    section(ctx, append, warn, judge)  # type: ignore[arg-type]
    return lines


def test_plain_passes_are_written_inline_and_everything_else_is_judged_in_order() -> None:
    criteria = [
        criterion("T-PASS", Is(P, True)),
        criterion("T-FAIL", Compare(N, operator.ge, limit=3)),
        criterion("T-NOT-PUBLISHED", not_published=True),
        criterion("T-UNKNOWN-SHAPE", Unknown()),
        criterion("T-ALSO-PASS", Is(Q, False)),
    ]
    lines = run(criteria, Values(p=True, q=False, n=2))
    assert lines == [
        ("T-PASS", "L4-L5", "Plain."),
        "T-FAIL",
        "T-NOT-PUBLISHED",
        "T-UNKNOWN-SHAPE",
        ("T-ALSO-PASS", "L4-L5", "Plain."),
    ]


def test_an_empty_section_does_nothing() -> None:
    assert run([], Values()) == []


def test_a_fact_is_computed_once_however_many_criteria_use_it() -> None:
    ctx = Values(p=True)
    criteria = [criterion("T-A", Is(P, True)), criterion("T-B", Is(P, True))]
    assert run(criteria, ctx) == [("T-A", "L4-L5", "Plain."), ("T-B", "L4-L5", "Plain.")]
    assert ctx.computed == ["p"] and ctx.cache == {"p": True} and ctx.asked == []


def test_a_fact_already_in_the_cache_is_not_computed_again() -> None:
    ctx = Values(p=False)
    ctx.cache["p"] = True  # what the general path computed earlier in the evaluation
    assert run([criterion("T-A", Is(P, True))], ctx) == [("T-A", "L4-L5", "Plain.")]
    assert ctx.computed == []


def test_a_fact_read_on_one_pass_branch_is_read_again_by_a_later_criterion() -> None:
    # T-A reads q only for its explanation, on its pass branch; T-B's condition needs q too.
    shows_q = Template("q is {q}.", ("q is ", "."), (Q,))
    criteria = [criterion("T-A", Is(P, True), explanation=shows_q), criterion("T-B", Is(Q, False))]
    assert run(criteria, Values(p=False, q=False)) == ["T-A", ("T-B", "L4-L5", "Plain.")]
    ctx = Values(p=True, q=False)
    assert run(criteria, ctx) == [("T-A", "L4-L5", "q is no."), ("T-B", "L4-L5", "Plain.")]
    assert ctx.computed == ["p", "q"]  # once: T-B found it in the cache


def test_in_a_level_context_case_facts_come_from_the_root_and_level_facts_are_computed() -> None:
    level_fact = fact("level.r", Scope.LEVEL)
    criteria = [criterion("T-A", Is(P, True)), criterion("T-B", Is(level_fact, True))]
    ctx = Values(p=True, **{"level.r": True})
    assert run(criteria, ctx, at_root=False) == [
        ("T-A", "L4-L5", "Plain."),
        ("T-B", "L4-L5", "Plain."),
    ]
    assert ctx.asked == ["p"] and ctx.computed == ["p", "level.r"]
    assert ctx.cache == {"p": True, "level.r": True}


WARN_P = Template("p is {p}.", ("p is ", "."), (P,))
WARN_Q = Template("Q!", ("Q!",), ())


def test_a_met_criterion_with_a_warning_certainly_raised_is_written_inline() -> None:
    # The general path: every check met, so an unknown warning is simply not raised.
    warns = criterion("T-W", Is(N, True), warn_when=((Is(P, True), WARN_P), (Is(Q, True), WARN_Q)))
    for values, expected in [
        ({"n": True, "p": True, "q": True}, [("warn", "p is yes."), ("warn", "Q!")]),
        ({"n": True, "p": None, "q": True}, [("warn", "Q!")]),
        ({"n": True, "p": True, "q": False}, [("warn", "p is yes.")]),
    ]:
        assert run([warns], Values(**values)) == [*expected, ("T-W", "L4-L5", "Plain.", "warning")]
    assert run([warns], Values(n=True, p=False, q=False)) == [("T-W", "L4-L5", "Plain.")]
    for values in ({"n": None, "p": True}, {"n": False, "p": True}, {"n": True}):
        assert run([warns], Values(**values)) == ["T-W"]  # not met, not known, or no warning


def test_a_warning_only_criterion_judges_when_no_warning_is_certain() -> None:
    # Without checks an unknown warning makes the general path ask for the fact: judged.
    warns = criterion("T-W", warn_when=((Is(P, True), WARN_Q), (Is(Q, True), WARN_Q)))
    assert run([warns], Values(p=None, q=True)) == [
        ("warn", "Q!"),
        ("T-W", "L4-L5", "Plain.", "warning"),
    ]
    assert run([warns], Values(p=None, q=False)) == ["T-W"]
    assert run([warns], Values(p=False, q=False)) == [("T-W", "L4-L5", "Plain.")]


def test_a_fact_read_for_a_warning_only_is_read_again_by_a_later_criterion() -> None:
    shows_q = Template("q is {q}.", ("q is ", "."), (Q,))
    warns = criterion("T-W", warn_when=((Is(P, True), shows_q),))
    later = criterion("T-LATER", Is(Q, False))
    assert run([warns, later], Values(p=False, q=False)) == [
        ("T-W", "L4-L5", "Plain."),
        ("T-LATER", "L4-L5", "Plain."),
    ]


def test_pass_lines_are_remembered_by_level_and_values_and_right_when_forgotten(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from annulus.candidacy.engine import sections

    shows_q = Template("q is {q}.", ("q is ", "."), (Q,))
    section = compile_section(
        [criterion("T-A", Is(P, True), explanation=shows_q)], "t", at_root=True
    )

    def lines(level: str = "L4-L5", **values: Value) -> list[CriterionResult]:
        ctx = Values(**values)
        ctx.level = level  # type: ignore[assignment]
        found: list[CriterionResult] = []
        section(ctx, found.append, found.append, found.append)  # type: ignore[arg-type]
        return found

    first = lines(p=True, q=True)
    assert first == [CriterionResult("T-A", "L4-L5", "pass", "q is yes.", "source", "T-A title")]
    assert lines(p=True, q=True)[0] is first[0]  # remembered
    assert lines(p=True, q=False)[0].explanation == "q is no."
    assert lines("L5-S1", p=True, q=True)[0] == first[0]._replace(level="L5-S1")
    monkeypatch.setattr(sections, "LINES_MEMO_SIZE", 1)  # forget at every new line
    for q in (None, True, None, False):  # the first is new: the memo is full, so it forgets
        shown = {None: "not recorded", True: "yes", False: "no"}[q]
        assert lines(p=True, q=q)[0].explanation == f"q is {shown}."
