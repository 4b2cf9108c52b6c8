"""Copy every one-field fact into a context's cache at once, before the criteria run.

Most facts are one field of the case as it stands (`symptoms.back_pain_nrs`), of a level's
findings (`level.stenosis`) or of a discogram (`disc.concordance`). Computing each on first use
costs several function calls per fact, and a batch of full-size cases spent much of its time
there. These functions fill the cache with all of a part's field facts in one step; the values
are exactly what each fact's own getter returns (a test checks that).
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import Final

from .context import Context, Value
from .facts import FIELD_FACTS

__all__ = ["prefill_case", "prefill_disc", "prefill_findings"]

Pick = Callable[[dict[str, object]], tuple[Value, ...]]
Group = tuple[str, tuple[str, ...], Pick, tuple[None, ...]]


def _groups(holders: tuple[str, ...] | None) -> tuple[Group, ...]:
    """(holder, fact names, picker of their values from the part's fields, as many Nones)."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    for name, (holder, field) in FIELD_FACTS.items():
        if (holder in holders) if holders is not None else holder not in _PARTS:
            grouped.setdefault(holder, []).append((name, field))
    return tuple(
        (
            holder,
            tuple(name for name, _ in pairs),
            _picker(tuple(field for _, field in pairs)),
            (None,) * len(pairs),
        )
        for holder, pairs in grouped.items()
    )


def _picker(fields: tuple[str, ...]) -> Pick:
    if len(fields) == 1:
        field = fields[0]
        return lambda values: (values[field],)  # type: ignore[return-value]
    return itemgetter(*fields)


_PARTS: Final = ("findings", "disc")
_CASE: Final = _groups(None)
((_FINDINGS, _FINDING_NAMES, _PICK_FINDINGS, _NO_FINDINGS),) = _groups(("findings",))
((_DISC, _DISC_NAMES, _PICK_DISC, _NO_DISC),) = _groups(("disc",))


def prefill_case(ctx: Context) -> None:
    """Fill the case context's cache with every field fact of the case's sections."""
    case = ctx.case.__dict__
    update = ctx.cache.update
    for section, names, pick, nones in _CASE:
        part = case[section]
        update(zip(names, nones if part is None else pick(part.__dict__), strict=True))


def prefill_findings(ctx: Context) -> None:
    """Fill a level context's cache with the level's findings (all unknown without findings)."""
    findings = ctx.findings
    values = _NO_FINDINGS if findings is None else _PICK_FINDINGS(findings.__dict__)
    ctx.cache.update(zip(_FINDING_NAMES, values, strict=True))


def prefill_disc(ctx: Context) -> None:
    """Fill a discogram context's cache with the discogram's fields."""
    assert ctx.disc is not None
    ctx.cache.update(zip(_DISC_NAMES, _PICK_DISC(ctx.disc.__dict__), strict=True))
