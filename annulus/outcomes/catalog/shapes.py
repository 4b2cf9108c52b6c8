"""Which structure each scoring rule needs: item kinds and values, checked per file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .model import ChoiceItem, Instrument, ScaleItem, ScoringRule

__all__ = ["item_paths", "shape_problems"]


def item_paths(instrument: Instrument) -> Iterator[tuple[str, ChoiceItem | ScaleItem]]:
    for i, section in enumerate(instrument.sections):
        for j, item in enumerate(section.items):
            yield f"sections[{i}].items[{j}]", item


@dataclass(frozen=True)
class _Spec:
    kind: Literal["choice", "scale"]
    values: tuple[int, ...] | None  # None: any values


def _repeat(spec: _Spec, count: int) -> Callable[[int], tuple[_Spec, ...]]:
    return lambda _n: (spec,) * count


_ZERO_TO_TEN = _Spec("scale", tuple(range(11)))
# For each rule: given the number of items in the file, the item specs it needs.
_SHAPES: dict[ScoringRule, Callable[[int], tuple[_Spec, ...]]] = {
    "nrs-0-10": _repeat(_ZERO_TO_TEN, 1),
    "pgic-7": _repeat(_Spec("choice", tuple(range(1, 8))), 1),
    "single-choice": _repeat(_Spec("choice", None), 1),
    "odi-v2.1a": _repeat(_Spec("choice", tuple(range(6))), 10),
    "rmdq-24": _repeat(_Spec("choice", (0, 1)), 24),
    "peg-mean": _repeat(_ZERO_TO_TEN, 3),
    "phq9-sum": _repeat(_Spec("choice", (0, 1, 2, 3)), 9),
    # Any number of choice items; the table maps the raw sum.
    "promis-t-score": lambda n: (_Spec("choice", None),) * n,
    # Five dimensions with levels 1-5, then the 0-100 EQ VAS.
    "eq5d5l-value-set": lambda _n: (
        (_Spec("choice", (1, 2, 3, 4, 5)),) * 5 + (_Spec("scale", tuple(range(101))),)
    ),
}


def shape_problems(instrument: Instrument) -> list[str]:
    rule = instrument.scoring_rule
    specs = _SHAPES[rule](len(instrument.items))
    if len(specs) != len(instrument.items):
        return [
            f"sections: scoring rule {rule!r} needs {len(specs)} items, "
            f"the file has {len(instrument.items)}"
        ]
    problems = []
    for (path, item), spec in zip(item_paths(instrument), specs, strict=True):
        if item.kind != spec.kind or (
            spec.values is not None and tuple(sorted(item.values)) != spec.values
        ):
            # Every rule's values are a whole-number range.
            wanted = (
                "any values"
                if spec.values is None
                else f"values {spec.values[0]}-{spec.values[-1]}"
            )
            problems.append(f"{path}: scoring rule {rule!r} needs a {spec.kind} item with {wanted}")
    return problems
