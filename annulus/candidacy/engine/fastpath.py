"""A criterion's common case compiled to one plain Python function: "it passes, nothing else".

Most criteria pass for most cases. The general evaluation (`evaluate._Trace.judge`) walks the
condition objects, one method call per node and per fact; for a batch that dispatch is most of
the engine's time. So, once per protocol load, each criterion gets a function generated from its
conditions, with the facts read into local variables and the conditions written out as Python
`and`/`or` expressions. It answers only "passes for certain" (status `pass`, no warning): then it
appends the result line itself and returns True. Anything else (a failure, an unknown fact, a
warning, not applicable) returns False, and the general path decides, so every outcome other
than a plain pass still comes from one place.

Three-valued logic in two-valued Python: each condition compiles to two expressions, "is
certainly true" and "is certainly false"; an unknown fact (None) makes both false. Constants go
through the function's namespace, never into the source text.
"""

from __future__ import annotations

import operator
import textwrap
from collections.abc import Callable
from typing import Any

from .conditions import AllOf, AnyKnown, AnyOf, Between, Compare, Is, Not, OneOf
from .context import UNSET, Condition, Context, Fact, Scope
from .decision import CriterionResult
from .facts.registry import DISC_FIELDS, LEVEL_FIELDS, SECTION_FIELDS
from .templates import Template

__all__ = ["CompiledCondition", "FastJudge", "compile_fast", "compile_test"]

FastJudge = Callable[[Context, Callable[[CriterionResult], None]], bool]
"""`fast(ctx, append)`: True when it appended the criterion's `pass` line; False otherwise."""

_SYMBOLS: dict[object, str] = {
    operator.ge: ">=",
    operator.le: "<=",
    operator.gt: ">",
    operator.lt: "<",
    operator.eq: "==",
}


class Unsupported(Exception):
    """A condition this compiler does not know; the criterion keeps only the general path."""


class _Writer:
    """Collects the generated function's fact variables, their loading code and constants."""

    def __init__(self) -> None:
        self.facts: dict[str, str] = {}  # fact name → local variable
        self.parts: dict[str, str] = {}  # `case.<section>` or `ctx.findings` → local variable
        self.namespace: dict[str, Any] = {"UNSET": UNSET}
        self.loads: list[str] = []  # code not emitted yet (flushed at the indent asked for)
        self.count = 0  # local variables made so far (names stay unique after `forget`)
        self.at_root = False  # the code runs in the case-wide context (sections.py sets it)

    def mark(self) -> tuple[set[str], set[str]]:
        """What is loaded now; `forget(mark)` later drops what was loaded since."""
        return set(self.facts), set(self.parts)

    def forget(self, mark: tuple[set[str], set[str]]) -> None:
        """Drop the variables loaded since `mark`: their code ran only on one branch, so code
        after that branch must load them again (sections.py)."""
        facts, parts = mark
        for name in set(self.facts) - facts:
            del self.facts[name]
        for name in set(self.parts) - parts:
            del self.parts[name]

    def _variable(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count - 1}"

    def _part(self, expression: str) -> str:
        """A local variable holding the `__dict__` of `expression` (a section of the case,
        the level's findings or a discogram rule's disc), or None without it; read once
        however many facts come from it.

        Its fields are then read as `part["field"]`: a pydantic model defines `__getattr__`,
        so CPython 3.11 cannot specialise `part.field` (~200 instructions a read against ~20
        for the dict's). Only model fields are read so (test_fastpath.py checks each one), and
        a validated model holds every field in its `__dict__`."""
        var = self.parts.get(expression)
        if var is None:
            var = self.parts[expression] = self._variable("p")
            self.loads.append(f"{var} = {expression}")
            self.loads.append(f"{var} = None if {var} is None else {var}.__dict__")
        return var

    def const(self, value: object) -> str:
        name = f"k{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def fact(self, fact: Fact) -> str:
        var = self.facts.get(fact.name)
        if var is None:
            var = self.facts[fact.name] = self._variable("v")
            lines = self._load(fact, var)  # after the part it reads, if `_load` added one
            self.loads += lines
        return var

    def _load(self, fact: Fact, var: str) -> list[str]:
        """Code setting `var` to the fact's value in `ctx`.

        A plain field of the case, of the level's findings or of the discogram is read right
        here: two attribute reads cost less than asking the evaluation's cache (the general path
        reads the same field again if it needs it), and the section or findings it comes from
        is read once for all its fields. Any other fact comes from the cache, or is computed
        and remembered there: by its getter when it belongs to this context, else by
        `Context.value`, which asks the root.
        """
        getter = fact.get
        path = SECTION_FIELDS.get(getter)
        if path is not None and fact.scope is Scope.CASE:
            section, field = path
            part = self._part(f"case.{_name(section)}")
            return [f"{var} = None if {part} is None else {part}[{_name(field)!r}]"]
        finding = LEVEL_FIELDS.get(getter)
        if finding is not None and fact.scope is Scope.LEVEL:
            part = self._part("ctx.findings")
            return [f"{var} = None if {part} is None else {part}[{_name(finding)!r}]"]
        disc_field = DISC_FIELDS.get(getter)
        if disc_field is not None and fact.scope is Scope.DISC:
            part = self._part("ctx.disc")
            return [f"{var} = None if {part} is None else {part}[{_name(disc_field)!r}]"]
        key = self.const(fact.name)
        if self.at_root or fact.scope is not Scope.CASE:
            # Computed in this very context, as `Context.value` would (without its call).
            compute = f"cache[{key}] = {self.const(fact.get)}(ctx)"
        else:
            compute = f"ctx.value({self.const(fact)})"  # a case fact, from the root's cache
        return [f"{var} = get({key}, UNSET)", f"if {var} is UNSET:", f"    {var} = {compute}"]

    def flush(self, indent: str) -> str:
        """The loading code gathered so far, indented; then forgotten."""
        text = "".join(f"{indent}{line}\n" for line in self.loads)
        self.loads = []
        return text

    def render(self, template: Template) -> str:
        """Code setting `text` to the template's rendering, from its memo when it is there."""
        if not template.facts:
            return f"text = {self.const(template.text)}\n"
        values = "".join(f"{self.fact(fact)}, " for fact in template.facts)
        return (
            f"values = ({values})\n"
            f"text = {self.const(template._memo)}.get(values)\n"
            "if text is None:\n"
            f"    text = {self.const(template.written)}(values)\n"
        )

    def true(self, cond: object) -> str:
        """Python text that is truthy exactly when `cond` is certainly true."""
        if isinstance(cond, Is):
            return f"({self.fact(cond.fact)} is {cond.expected!r})"
        if isinstance(cond, OneOf):
            v = self.fact(cond.fact)
            return f"({v} is not None and {v} in {self.const(cond.allowed)})"
        if isinstance(cond, Between | Compare):
            known, comparison = self._compare(cond)
            return f"({known} and {comparison})"
        if isinstance(cond, AllOf):
            return self._join([self.true(item) for item in cond.items], "and")
        if isinstance(cond, AnyOf | AnyKnown):
            return self._join([self.true(item) for item in cond.items], "or")
        if isinstance(cond, Not):
            return self.false(cond.item)
        raise Unsupported(type(cond).__name__)

    def false(self, cond: object) -> str:
        """Python text that is truthy exactly when `cond` is certainly false."""
        if isinstance(cond, Is):
            return f"({self.fact(cond.fact)} is {(not cond.expected)!r})"
        if isinstance(cond, OneOf):
            v = self.fact(cond.fact)
            return f"({v} is not None and {v} not in {self.const(cond.allowed)})"
        if isinstance(cond, Between | Compare):
            known, comparison = self._compare(cond)
            return f"({known} and not {comparison})"
        if isinstance(cond, AllOf):
            return self._join([self.false(item) for item in cond.items], "or")
        if isinstance(cond, AnyOf):
            return self._join([self.false(item) for item in cond.items], "and")
        if isinstance(cond, AnyKnown):
            # False when none is true and at least one is known false.
            anything = self._join([self.true(item) for item in cond.items], "or")
            return f"(not {anything} and {self._join([self.false(i) for i in cond.items], 'or')})"
        if isinstance(cond, Not):
            return self.true(cond.item)
        raise Unsupported(type(cond).__name__)

    def _compare(self, cond: Between | Compare) -> tuple[str, str]:
        """(every value known, the comparison itself) for a numeric comparison."""
        v = self.fact(cond.fact)
        if isinstance(cond, Between):
            return f"{v} is not None", f"({self.const(cond.low)} <= {v} <= {self.const(cond.high)})"
        symbol = _SYMBOLS.get(cond.op)
        if symbol is None:
            raise Unsupported(repr(cond.op))
        if cond.other is None:
            return f"{v} is not None", f"({v} {symbol} {self.const(cond.limit)})"
        w = self.fact(cond.other)
        known = f"{v} is not None and {w} is not None"
        return known, f"({v} {symbol} {w} * {self.const(cond.times)})"

    @staticmethod
    def _join(parts: list[str], word: str) -> str:
        return "(" + f" {word} ".join(parts) + ")"


def compile_fast(
    *,
    ident: str,
    source: str,
    title: str,
    explanation: Template,
    applies_when: object | None,
    checks: tuple[object, ...],
    warn_when: tuple[object, ...],
) -> FastJudge | None:
    """The pass-only function of one criterion, or None when a condition is not compilable."""
    writer = _Writer()
    try:
        tests = [writer.true(applies_when)] if applies_when is not None else []
        tests += [writer.true(check) for check in checks]
        tests += [writer.false(warning) for warning in warn_when]
    except Unsupported:
        return None
    writer.namespace.update(new=tuple.__new__, Result=CriterionResult, ident=ident)
    writer.namespace.update(source=source, title=title)
    condition = " and ".join(tests) or "True"
    head = writer.flush("    ")
    render = writer.render(explanation)
    text = (
        "def fast(ctx, append):\n"
        "    cache = ctx.cache\n"
        "    get = cache.get\n"
        "    case = ctx.case\n"
        f"{head}"
        f"    if {condition}:\n"
        f"{writer.flush('        ')}"
        f"{textwrap.indent(render, '        ')}"
        '        append(new(Result, (ident, ctx.level, "pass", text, source, title)))\n'
        "        return True\n"
        "    return False\n"
    )
    code = compile(text, f"<criterion {ident}>", "exec")
    exec(code, writer.namespace)  # noqa: S102 - our own text; every value is in the namespace
    fast: FastJudge = writer.namespace["fast"]
    return fast


class CompiledCondition:
    """A condition whose `test` is generated code (same answers); `unknown_facts`, asked only
    when the answer is None, is the original condition's."""

    __slots__ = ("condition", "test")

    def __init__(self, condition: Condition, test: Callable[[Context], bool | None]) -> None:
        self.condition = condition
        self.test = test

    def unknown_facts(self, ctx: Context) -> list[Fact]:
        return self.condition.unknown_facts(ctx)


def compile_test(condition: Condition) -> Condition:
    """`condition` with its three-valued `test` compiled to one function (as `compile_fast` does
    for a criterion); the condition itself when a part is not compilable."""
    writer = _Writer()
    try:
        certain, refuted = writer.true(condition), writer.false(condition)
    except Unsupported:
        return condition
    text = (
        "def test(ctx):\n"
        "    cache = ctx.cache\n"
        "    get = cache.get\n"
        "    case = ctx.case\n"
        f"{writer.flush('    ')}"
        f"    if {certain}:\n"
        "        return True\n"
        f"    if {refuted}:\n"
        "        return False\n"
        "    return None\n"
    )
    exec(compile(text, "<condition>", "exec"), writer.namespace)  # noqa: S102 - as above
    return CompiledCondition(condition, writer.namespace["test"])


def _name(text: str) -> str:
    """An attribute name from our own fact registry, checked before it goes into source text."""
    if not text.isidentifier():
        raise Unsupported(text)
    return text
