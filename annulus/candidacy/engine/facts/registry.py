"""The registry behind the fact vocabulary, and small helpers the fact modules share."""

from __future__ import annotations

from collections.abc import Callable

from ..context import Context, Fact, Kind, Scope, Value, number_text

__all__ = [
    "FACTS",
    "FIELD_FACTS",
    "NRS",
    "PERCENT",
    "FieldGetter",
    "Todo",
    "add",
    "get_fact",
    "in_section",
    "number_text",
]

FACTS: dict[str, Fact] = {}

FIELD_FACTS: dict[str, tuple[str, str]] = {}
"""Fact name → (holder, field) for every fact that is one field of the case as it stands, so the
engine can copy them all at once (`engine/prefill.py`) instead of computing them one by one."""

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
    if isinstance(get, FieldGetter):
        FIELD_FACTS[name] = (get.holder, get.field)
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


class FieldGetter:
    """A fact that is one field: `case.<section>.<field>`, or a field of the level's findings
    (`holder` "findings") or of the discogram (`holder` "disc"). Unknown when the part is absent.
    """

    __slots__ = ("field", "holder")

    def __init__(self, holder: str, field: str) -> None:
        self.holder = holder
        self.field = field

    def __call__(self, ctx: Context) -> Value:
        holder = self.holder
        if holder == "findings":
            part: object = ctx.findings
        elif holder == "disc":
            part = ctx.disc
        else:
            part = getattr(ctx.case, holder)
        value: Value = None if part is None else getattr(part, self.field)
        return value


def in_section(section: str, field: str) -> Callable[[Context], Value]:
    """A getter for `case.<section>.<field>`, unknown when the section is absent."""
    return FieldGetter(section, field)
