"""A protocol section (red flags, case criteria, level criteria) compiled to one Python function.

`fastpath.py` compiles each criterion's plain pass into its own function. Called one by one, ~45
of them a case, each paid a call and read its facts afresh: the same case section (`case.symptoms`,
`case.red_flags`), the same fact (`symptoms.back_pain_nrs` in two criteria) and the same cache
entries again and again, and the evaluation loop paid a test and an attribute read per criterion.
Here, once per protocol load, all the criteria of a section are written into one function, in
the protocol's order, sharing its local variables: every fact and every case section is read
once per section (per level, for level criteria) however many criteria use it.

Each criterion keeps fastpath's contract, widened by one common case: when its compiled
conditions say "passes for certain" (status `pass`, no warning), the function appends the `pass`
line itself; when they say "met for certain, and a warning is certainly raised" (a blood thinner,
a PHQ-9 to review: about one line in 35 of a full-size case), it adds the warnings and the
`warning` line itself. Otherwise it hands the criterion to the general evaluation (`judge`, that
is `evaluate._Trace.judge`), which decides every other outcome, as it does for a criterion whose
conditions are not compilable and for a not-published one. Facts are pure functions of the case,
so reading one earlier or once instead of twice changes nothing; a value loaded only on one
branch (for an explanation or a warning) is loaded again when a later criterion needs it, since
that branch may not have run.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .context import Context
from .decision import CriterionResult
from .fastpath import Unsupported, _Writer
from .templates import Template

if TYPE_CHECKING:
    from .protocol import Criterion

__all__ = ["Judge", "Section", "Sections", "compile_section"]

Judge = Callable[["Criterion", Context], None]
"""`judge(criterion, ctx)`: the general evaluation of one criterion, which records its result."""

Section = Callable[[Context, Callable[[CriterionResult], None], Callable[[str], None], Judge], None]
"""`section(ctx, append, warn, judge)`: every criterion of the section, in order, in `ctx`;
`append` takes a result line, `warn` a warning of the decision."""


@dataclass(frozen=True, slots=True)
class Sections:
    """A protocol's three sections, each compiled to one function."""

    red_flags: Section
    criteria: Section
    level_criteria: Section


def compile_section(criteria: Sequence[Criterion], name: str, *, at_root: bool) -> Section:
    """One function judging `criteria` in order: plain passes inline, the rest by `judge`.

    `at_root`: the function runs in the case-wide context (red flags, case criteria), so it
    computes the case's facts there itself; level criteria ask the root for them."""
    writer = _Writer()
    writer.at_root = at_root
    writer.namespace.update(new=tuple.__new__, Result=CriterionResult)
    blocks = [_block(writer, criterion) for criterion in criteria]
    text = (
        "def section(ctx, append, warn, judge):\n"
        "    cache = ctx.cache\n"
        "    get = cache.get\n"
        "    case = ctx.case\n"
        "    level = ctx.level\n"
        f"{''.join(blocks)}"
    )
    exec(compile(text, f"<section {name}>", "exec"), writer.namespace)  # noqa: S102 - our own text
    section: Section = writer.namespace["section"]
    return section


def _block(writer: _Writer, criterion: Criterion) -> str:
    """The code of one criterion inside the section's function."""
    judge = f"    judge({writer.const(criterion)}, ctx)\n"
    if criterion.not_published:
        return judge
    before = writer.mark()
    try:
        certain = [writer.true(criterion.applies_when)] if criterion.applies_when else []
        certain += [writer.true(check.condition) for check in criterion.checks]
        no_warning = [writer.false(condition) for condition, _ in criterion.warn_when]
        warned = [writer.true(condition) for condition, _ in criterion.warn_when]
    except Unsupported:
        writer.loads = []  # nothing of this criterion was emitted
        writer.forget(before)
        return judge
    head = writer.flush("    ")
    ident, source, title = (
        writer.const(v) for v in (criterion.id, criterion.source, criterion.title)
    )
    code = [
        head,
        f"    if {' and '.join(certain + no_warning) or 'True'}:\n",
        _pass_line(
            writer, criterion.explanation, f'{ident}, level, "pass", text, {source}, {title}'
        ),
    ]
    if warned:
        # Met, with a warning certainly raised: the general path would say `warning`, with
        # each certainly raised warning in order (one not known is not raised).
        code.append(f"    elif {' and '.join([*certain, _any(warned)])}:\n")
        for test, (_, warning) in zip(warned, criterion.warn_when, strict=True):
            code.append(f"        if {test}:\n")
            code.append(textwrap.indent(_line(writer, warning, "text", call="warn"), "    "))
        result = f'({ident}, level, "warning", text, {source}, {title})'
        code.append(_line(writer, criterion.explanation, result))
    code.append(f"    else:\n    {judge}")
    return "".join(code)


def _line(writer: _Writer, template: Template, item: str, *, call: str = "append") -> str:
    """Code inside an `if` (8 spaces): render `template` into `text`, then `call` with `item`.

    A value loaded here is forgotten afterwards: this branch may not run."""
    branch = writer.mark()
    render = writer.render(template)
    loads = writer.flush("        ")
    writer.forget(branch)
    result = f"new(Result, {item})" if call == "append" else item
    return f"{loads}{textwrap.indent(render, '        ')}        {call}({result})\n"


LINES_MEMO_SIZE = 2048
"""Pass lines remembered per criterion (by level and the values its explanation shows)."""


def _pass_line(writer: _Writer, template: Template, fields: str) -> str:
    """Code inside an `if` (8 spaces): append the criterion's `pass` line.

    The line itself is remembered by the level and the values shown, like the explanation's
    text: a batch meets the same lines again and again, and the same line object is then
    cheaper to make, and to find among the remembered JSON lines (decision.py), than an equal
    new one."""
    branch = writer.mark()
    key = f"(level, {''.join(f'{writer.fact(fact)}, ' for fact in template.facts)})"
    render = writer.render(template)
    loads = writer.flush("        ")
    writer.forget(branch)
    memo = writer.const({})
    return (
        f"{loads}"
        f"        line = {memo}.get({key})\n"
        "        if line is None:\n"
        f"{textwrap.indent(render, '            ')}"
        f"            line = {writer.const(_remember)}({memo}, {key}, new(Result, ({fields})))\n"
        "        append(line)\n"
    )


def _remember(
    memo: dict[tuple[object, ...], CriterionResult], key: tuple[object, ...], line: CriterionResult
) -> CriterionResult:
    if len(memo) >= LINES_MEMO_SIZE:
        memo.clear()
    memo[key] = line
    return line


def _any(tests: list[str]) -> str:
    return tests[0] if len(tests) == 1 else "(" + " or ".join(tests) + ")"
