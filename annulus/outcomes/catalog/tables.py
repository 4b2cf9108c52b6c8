"""Clinic-installed lookup tables (PROMIS T-scores, EQ-5D value sets) and their check."""

from itertools import product
from typing import Annotated, Literal

from pydantic import (
    BeforeValidator,
    Field,
    StringConstraints,
)

from .model import TABLE_KINDS, ChoiceItem, Instrument, Model, Slug, Text

__all__ = ["LookupTable", "TScoreTable", "ValueSet", "check_table"]


def _profile_as_text(value: object) -> object:
    # YAML reads an unquoted 11111 as an integer.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Finite = Annotated[float, Field(allow_inf_nan=False)]
Profile = Annotated[str, BeforeValidator(_profile_as_text), StringConstraints(pattern=r"^\d+$")]


class TScoreTable(Model):
    """A PROMIS raw-sum → T-score table, installed by the clinic (none is shipped)."""

    kind: Literal["t-score"]
    instrument: Slug
    version: str
    source: Text
    entries: dict[int, Finite] = Field(min_length=1)


class ValueSet(Model):
    """An EQ-5D-5L value set: 5-digit profile → index, for one country (none is shipped)."""

    kind: Literal["value-set"]
    instrument: Slug
    version: str
    country: Text
    source: Text
    entries: dict[Profile, Finite] = Field(min_length=1)


LookupTable = Annotated[TScoreTable | ValueSet, Field(discriminator="kind")]


def check_table(instrument: Instrument, table: TScoreTable | ValueSet) -> list[str]:
    """Return the problems that stop ``table`` from scoring ``instrument`` (empty: usable)."""
    kind = TABLE_KINDS.get(instrument.scoring_rule)
    if kind is None:
        return [f"{instrument.id} is scored without a lookup table"]
    problems = []
    if table.kind != kind:
        problems.append(f"kind: {instrument.id} needs a {kind!r} table, got {table.kind!r}")
    if table.instrument != instrument.id:
        problems.append(f"instrument: the table is for {table.instrument!r}, not {instrument.id!r}")
    if table.version != instrument.version:
        problems.append(
            f"version: the table is for version {table.version!r}, "
            f"the instrument is version {instrument.version!r}"
        )
    if problems:
        return problems
    # Keys compared as text: raw sums are numbers, profiles are digit strings.
    if isinstance(table, TScoreTable):
        lowest = sum(min(item.values) for item in instrument.items)
        highest = sum(max(item.values) for item in instrument.items)
        expected = {str(raw) for raw in range(lowest, highest + 1)}
        what = "raw sums"
    else:
        levels = [item.values for item in instrument.items if isinstance(item, ChoiceItem)]
        expected = {"".join(map(str, combo)) for combo in product(*levels)}
        what = "profiles"
    present = {str(key) for key in table.entries}
    missing = sorted(expected - present, key=_numeric)
    extra = sorted(present - expected, key=_numeric)
    if missing:
        first = ", ".join(map(str, missing[:5]))
        problems.append(f"entries: {len(missing)} {what} have no entry (first: {first})")
    if extra:
        first = ", ".join(map(str, extra[:5]))
        problems.append(f"entries: {len(extra)} {what} cannot occur (first: {first})")
    return problems


def _numeric(key: str) -> float:
    return float(key)
