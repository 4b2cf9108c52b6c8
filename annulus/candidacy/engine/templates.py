"""Explanation templates: plain text with `{fact.name}` placeholders, rendered with units.

`"Back pain for {symptoms.back_pain_duration_months} (needs at least 6)."` renders as
`Back pain for 14 months (needs at least 6).` Placeholders are checked against the vocabulary
when the protocol loads, so a typo fails the release, not a patient's evaluation.
"""

from __future__ import annotations

import re

from .context import UNSET, Context, Fact, Scope, Value
from .errors import ProtocolError
from .facts import FACTS

__all__ = ["Template", "compile_template"]

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class Template:
    """A compiled template: literal text and the facts to show between it.

    Renderings are remembered by the values shown (a batch sees the same few values again and
    again), up to `MEMO_SIZE` per template; the text is the same either way.
    """

    __slots__ = ("_memo", "facts", "literals", "text")

    MEMO_SIZE = 2048

    def __init__(self, text: str, literals: tuple[str, ...], facts: tuple[Fact, ...]) -> None:
        self.text = text
        self.literals = literals
        self.facts = facts
        self._memo: dict[tuple[Value, ...], str] = {}

    def render(self, ctx: Context) -> str:
        """The text with each placeholder replaced by the fact's value as a physician reads it."""
        facts = self.facts
        if not facts:
            return self.text
        if len(facts) == 1:
            value = ctx.cache.get(facts[0].name, UNSET)
            values: tuple[Value, ...] = (ctx.value(facts[0]) if value is UNSET else value,)
        else:
            values = tuple([ctx.value(fact) for fact in facts])
        text = self._memo.get(values)
        return self.written(values) if text is None else text

    def written(self, values: tuple[Value, ...]) -> str:
        """The text for `values` (one per placeholder, in order), written out and remembered.

        The compiled paths (fastpath.py) call it with the values they already hold when the
        memo does not have them."""
        literals = self.literals
        parts = [literals[0]]
        for fact, value, literal in zip(self.facts, values, literals[1:], strict=False):
            parts.append(fact.display(value))
            parts.append(literal)
        text = "".join(parts)
        memo = self._memo
        if len(memo) >= self.MEMO_SIZE:
            memo.clear()
        memo[values] = text
        return text


def compile_template(text: str, where: str, scopes: frozenset[Scope]) -> Template:
    """Compile `text`; every `{name}` must be a fact usable in `scopes`."""
    literals: list[str] = []
    facts: list[Fact] = []
    position = 0
    for match in _PLACEHOLDER.finditer(text):
        literals.append(text[position : match.start()])
        name = match.group(1)
        fact = FACTS.get(name)
        if fact is None:
            raise ProtocolError(f"{where}: unknown fact {{{name}}} in the text")
        if fact.scope not in scopes:
            raise ProtocolError(f"{where}: {{{name}}} is a {fact.scope} fact; not usable here")
        facts.append(fact)
        position = match.end()
    literals.append(text[position:])
    if any("{" in part or "}" in part for part in literals):
        raise ProtocolError(f"{where}: unbalanced brace in the text")
    return Template(text, tuple(literals), tuple(facts))
