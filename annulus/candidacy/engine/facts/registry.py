"""The registry behind the fact vocabulary, and small helpers the fact modules share."""

from __future__ import annotations

from collections.abc import Callable

from ..context import Context, Fact, Kind, Scope, Value, number_text

__all__ = [
    "DISC_FIELDS",
    "FACTS",
    "LEVEL_FIELDS",
    "NRS",
    "PERCENT",
    "SECTION_FIELDS",
    "Todo",
    "add",
    "get_fact",
    "in_section",
    "number_text",
]

FACTS: dict[str, Fact] = {}

SECTION_FIELDS: dict[object, tuple[str, str]] = {}
"""`in_section` getter → (section, field): the compiled fast path reads these facts inline."""

LEVEL_FIELDS: dict[object, str] = {}
"""Getter of `ctx.findings.<field>` (None without findings) → field, read inline the same way."""

DISC_FIELDS: dict[object, str] = {}
"""Getter of `ctx.disc.<field>` (a discogram rule's disc) → field, read inline the same way."""

Todo = Callable[[Context], tuple[str, ...]]

NRS = "{}/10"
PERCENT = "{}%"


def get_fact(name: str) -> Fact:
    """The fact called `name`; KeyError when the vocabulary has no such word."""
    return FACTS[name]


def add(
    name: str,
    scope: Scope,
    kind: Kind,
    description: str,
    get: Callable[[Context], Value],
    todo: Todo | str,
    *,
    choices: tuple[str, ...] = (),
    unit: str = "{}",
    unit_one: str | None = None,
) -> None:
    """Register one fact; `todo` is the to-do item (or a function giving items) when unknown."""
    assert name not in FACTS, name  # a duplicate name is a programming error
    FACTS[name] = Fact(
        name=name,
        scope=scope,
        kind=kind,
        description=description,
        get=get,
        todo=_static(todo) if isinstance(todo, str) else todo,
        choices=choices,
        unit=unit,
        unit_one=unit_one,
    )


def _static(text: str) -> Todo:
    items = (text,)
    return lambda ctx: items


def in_section(section: str, field: str) -> Callable[[Context], Value]:
    """A getter for `case.<section>.<field>`, unknown when the section is absent."""

    def get(ctx: Context) -> Value:
        part = getattr(ctx.case, section)
        return None if part is None else getattr(part, field)

    SECTION_FIELDS[get] = (section, field)
    return get
