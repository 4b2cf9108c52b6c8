"""Lumbar disc levels, cranial to caudal, and what "adjacent" means (spec §1)."""

from __future__ import annotations

from itertools import pairwise
from typing import Final, Literal, get_args

__all__ = ["LEVELS", "Level", "adjacent_levels", "are_contiguous", "level_index"]

Level = Literal["L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1"]

LEVELS: Final[tuple[Level, ...]] = get_args(Level)
_INDEX: Final[dict[str, int]] = {level: i for i, level in enumerate(LEVELS)}


def level_index(level: Level) -> int:
    """Position of `level` in the cranial-to-caudal order (L1-L2 is 0)."""
    return _INDEX[level]


_ADJACENT: Final[dict[str, tuple[Level, ...]]] = {
    level: tuple(LEVELS[j] for j in (i - 1, i + 1) if 0 <= j < len(LEVELS))
    for i, level in enumerate(LEVELS)
}


def adjacent_levels(level: Level) -> tuple[Level, ...]:
    """The neighbours of `level` in the list L1-L2 … L5-S1 (one or two of them)."""
    return _ADJACENT[level]


def are_contiguous(levels: tuple[Level, ...]) -> bool:
    """True when `levels` (in cranial-to-caudal order, no repeats) form one unbroken run."""
    return all(_INDEX[b] - _INDEX[a] == 1 for a, b in pairwise(levels))
