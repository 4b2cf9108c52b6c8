"""The compiled pass-only path (fastpath.py) agrees with the condition objects it is made from.

For every condition shape and every assignment of known, unknown and boundary values, the
compiled function passes a criterion exactly when the general evaluation would: every check
certainly true, `applies_when` certainly true, every warning certainly false.
"""

from __future__ import annotations

import itertools
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
from annulus.candidacy.engine.decision import CriterionResult
from annulus.candidacy.engine.facts import FACTS
from annulus.candidacy.engine.facts.registry import (
    DISC_FIELDS,
    LEVEL_FIELDS,
    SECTION_FIELDS,
    in_section,
)
from annulus.candidacy.engine.fastpath import CompiledCondition, compile_fast, compile_test
from annulus.candidacy.engine.templates import Template


def fact(name: str) -> Fact:
    return Fact(name, Scope.CASE, Kind.NUMBER, "test", lambda ctx: None, lambda ctx: (name,))


P, Q, N, M, C = fact("p"), fact("q"), fact("n"), fact("m"), fact("c")
BOOLS: tuple[Value, ...] = (True, False, None)
NUMBERS: tuple[Value, ...] = (None, 1, 2, 3, 3.5, 4, 5)


class Values:
    """A stand-in context: fact name → value; counts what it was asked."""

    level = None
    case = None

    def __init__(self, **values: Value) -> None:
        self.values = values
        self.cache: dict[str, Value] = {}
        self.asked: list[str] = []

    def value(self, f: Fact) -> Value:
        # Like Context.value: computed once, then remembered in the cache.
        if f.name in self.cache:
            return self.cache[f.name]
        self.asked.append(f.name)
        value = self.cache[f.name] = self.values.get(f.name)
        return value


LEAVES: list[Cond] = [
    Is(P, True),
    Is(Q, False),
    OneOf(C, frozenset({"a", "b"})),
    Between(N, 2, 4),
    Compare(N, operator.ge, limit=3),
    Compare(N, operator.lt, limit=3),
    Compare(N, operator.gt, limit=3),
    Compare(N, operator.eq, limit=3),
    Compare(N, operator.le, other=M, times=0.5),
]
GROUPS: list[Cond] = [
    AllOf((Is(P, True), Is(Q, False))),
    AnyOf((Is(P, True), Is(Q, False))),
    AnyKnown((Is(P, True), Is(Q, False))),
    Not(Is(P, True)),
    Not(AllOf((Is(P, True), Between(N, 2, 4)))),
    AllOf((AnyKnown((Is(P, True), Compare(N, operator.ge, limit=3))), Not(Is(Q, True)))),
]
ASSIGNMENTS = [
    {"p": p, "q": q, "n": n, "m": m, "c": c}
    for p, q in itertools.product(BOOLS, BOOLS)
    for n, m in itertools.product(NUMBERS, (None, 6, 8))
    for c in ("a", "z", None)
]
TEXT = Template("Fixed text.", ("Fixed text.",), ())


def fast_for(role: str, cond: Cond):
    kwargs: dict[str, object] = {"applies_when": None, "checks": (), "warn_when": ()}
    if role == "applies_when":
        kwargs["applies_when"] = cond
    elif role == "checks":
        kwargs["checks"] = (cond,)
    else:
        kwargs["warn_when"] = (cond,)
    fast = compile_fast(ident="T-X", source="s", title="t", explanation=TEXT, **kwargs)  # type: ignore[arg-type]
    assert fast is not None
    return fast


@pytest.mark.parametrize("cond", LEAVES + GROUPS, ids=lambda c: type(c).__name__)
def test_the_compiled_path_passes_exactly_when_the_condition_is_certain(cond: Cond) -> None:
    as_check = fast_for("checks", cond)
    as_applies = fast_for("applies_when", cond)
    as_warning = fast_for("warn_when", cond)
    for values in ASSIGNMENTS:
        answer = cond.test(Values(**values))  # type: ignore[arg-type]
        for fast, expected in (
            (as_check, answer is True),
            (as_applies, answer is True),
            (as_warning, answer is False),
        ):
            lines: list[CriterionResult] = []
            assert fast(Values(**values), lines.append) is expected, values
            assert lines == (
                [CriterionResult("T-X", None, "pass", "Fixed text.", "s", "t")] * expected
            )


def test_every_part_must_hold_and_facts_are_read_once() -> None:
    fast = compile_fast(
        ident="T-Y",
        source="s",
        title="t",
        explanation=Template("{p} and {n}", ("", " and ", ""), (P, N)),
        applies_when=Is(P, True),
        checks=(Compare(N, operator.ge, limit=3), Between(N, 0, 10)),
        warn_when=(Is(Q, True),),
    )
    assert fast is not None
    ctx = Values(p=True, n=4, q=False)
    lines: list[CriterionResult] = []
    assert fast(ctx, lines.append)  # type: ignore[arg-type]
    assert lines[0].explanation == "yes and 4" and sorted(ctx.asked) == ["n", "p", "q"]
    # The rendering is remembered: a second case with the same values reuses it.
    assert fast(Values(p=True, n=4, q=False), lines.append)  # type: ignore[arg-type]
    assert lines[1].explanation is lines[0].explanation
    for failing in ({"p": False, "n": 4, "q": False}, {"p": True, "n": 2, "q": False}):
        assert not fast(Values(**failing), lines.append)  # type: ignore[arg-type]
    assert not fast(Values(p=True, n=4, q=True), lines.append)  # type: ignore[arg-type]
    assert not fast(Values(p=True, n=4), lines.append)  # type: ignore[arg-type]  # q unknown
    assert len(lines) == 2


class Unknown(Cond):
    """A condition shape the compiler has never seen."""

    def test(self, ctx: object) -> bool | None:
        return True

    def unknown_facts(self, ctx: object) -> list[Fact]:
        return []

    def facts(self):
        yield P


@pytest.mark.parametrize(
    "cond",
    [Unknown(), Not(Unknown()), Compare(N, lambda a, b: a == b, limit=1)],
    ids=["unknown", "negated", "operator"],
)
@pytest.mark.parametrize("role", ["checks", "warn_when"])
def test_an_unknown_shape_keeps_only_the_general_path(cond: Cond, role: str) -> None:
    kwargs: dict[str, object] = {"applies_when": None, "checks": (), "warn_when": ()}
    kwargs[role] = (cond,)
    assert compile_fast(ident="T-Z", source="s", title="t", explanation=TEXT, **kwargs) is None  # type: ignore[arg-type]


def test_a_case_field_is_read_inline_without_the_cache() -> None:
    getter = in_section("symptoms", "odi")
    odi = Fact("symptoms.odi", Scope.CASE, Kind.NUMBER, "ODI", getter, lambda ctx: ("ODI",))
    fast = compile_fast(
        ident="T-ODI",
        source="s",
        title="t",
        explanation=TEXT,
        applies_when=None,
        checks=(Compare(odi, operator.ge, limit=30),),
        warn_when=(),
    )
    assert fast is not None

    class Symptoms:  # the field in the instance's __dict__, as a validated model has it
        def __init__(self) -> None:
            self.odi = 40.0

    class Case:
        symptoms: Symptoms | None = Symptoms()

    ctx = Values()
    ctx.case = Case()  # type: ignore[assignment]
    assert fast(ctx, [].append) and ctx.cache == {} and not ctx.asked  # type: ignore[arg-type]
    Case.symptoms = None
    ctx = Values()
    ctx.case = Case()  # type: ignore[assignment]
    assert not fast(ctx, [].append) and ctx.cache == {} and not ctx.asked  # type: ignore[arg-type]


def test_a_field_name_that_is_not_an_identifier_is_not_compiled() -> None:
    def getter(ctx: object) -> Value:
        return None

    odd = Fact("odd", Scope.CASE, Kind.BOOLEAN, "odd", getter, lambda ctx: ("odd",))
    SECTION_FIELDS[getter] = ("symptoms", "odi; import os")
    try:
        fast = compile_fast(
            ident="T-ODD",
            source="s",
            title="t",
            explanation=TEXT,
            applies_when=None,
            checks=(Is(odd, True),),
            warn_when=(),
        )
    finally:
        del SECTION_FIELDS[getter]
    assert fast is None


@pytest.mark.parametrize("cond", LEAVES + GROUPS, ids=lambda c: type(c).__name__)
def test_a_compiled_test_answers_as_the_condition_does(cond: Cond) -> None:
    compiled = compile_test(cond)
    assert isinstance(compiled, CompiledCondition)
    for values in ASSIGNMENTS:
        expected = cond.test(Values(**values))  # type: ignore[arg-type]
        assert compiled.test(Values(**values)) is expected, values  # type: ignore[arg-type]
        # The to-do path is the condition's own.
        ctx = Values(**values)
        assert [f.name for f in compiled.unknown_facts(ctx)] == [  # type: ignore[arg-type]
            f.name
            for f in cond.unknown_facts(Values(**values))  # type: ignore[arg-type]
        ]


def test_a_condition_the_compiler_does_not_know_is_kept_as_it_is() -> None:
    cond = Not(Unknown())
    assert compile_test(cond) is cond


def test_level_and_disc_fields_are_read_inline_without_the_cache() -> None:
    grade = next(f for f in FACTS.values() if f.name == "level.pfirrmann_grade")
    pain = next(f for f in FACTS.values() if f.name == "disc.pain_intensity")
    assert grade.get in LEVEL_FIELDS and pain.get in DISC_FIELDS
    compiled = compile_test(
        AllOf((Compare(grade, operator.ge, limit=3), Compare(pain, operator.ge, limit=6)))
    )

    class Findings:  # the fields in the instances' __dict__, as validated models have them
        def __init__(self) -> None:
            self.pfirrmann_grade = 4

    class Disc:
        def __init__(self) -> None:
            self.pain_intensity = 7.0

    ctx = Values()
    ctx.findings = Findings()  # type: ignore[attr-defined]
    ctx.disc = Disc()  # type: ignore[attr-defined]
    assert compiled.test(ctx) is True and not ctx.asked and not ctx.cache  # type: ignore[arg-type]
    ctx = Values()
    ctx.findings = None  # type: ignore[attr-defined]
    ctx.disc = Disc()  # type: ignore[attr-defined]
    assert compiled.test(ctx) is None and not ctx.asked  # type: ignore[arg-type]


def test_every_field_read_inline_is_a_model_field_so_the_models_dict_holds_it() -> None:
    """The compiled code reads these fields as `part.__dict__["field"]` (fastpath._Writer._part):
    a property or a name not declared as a field would not be there."""
    import typing

    from annulus.candidacy.engine.case import Case, Discogram, LevelFindings

    assert SECTION_FIELDS and LEVEL_FIELDS and DISC_FIELDS
    for section, field in SECTION_FIELDS.values():
        annotation = Case.model_fields[section].annotation
        models = [t for t in typing.get_args(annotation) or (annotation,) if t is not type(None)]
        assert len(models) == 1 and field in models[0].model_fields, (section, field)
    for field in LEVEL_FIELDS.values():
        assert field in LevelFindings.model_fields, field
    for field in DISC_FIELDS.values():
        assert field in Discogram.model_fields, field
