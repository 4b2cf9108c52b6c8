"""Instruments as validated data: the vocabularies, the pydantic models, visible texts."""

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Literal, TypeAlias

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    model_validator,
)

from .shapes import item_paths, shape_problems

__all__ = [
    "DEMO_WORDING",
    "INSTRUMENTS_DIR",
    "LICENCE_STATUSES",
    "PLACEHOLDER_STATUSES",
    "SCORING_RULES",
    "SLUG_PATTERN",
    "TABLE_KINDS",
    "ChoiceItem",
    "Instrument",
    "Item",
    "Licence",
    "LicenceStatus",
    "Option",
    "ScaleItem",
    "ScoringRule",
    "Section",
    "Slug",
    "Text",
    "visible_texts",
]

DEMO_WORDING = "demo wording"
INSTRUMENTS_DIR = Path(__file__).resolve().parent.parent / "instruments"

LicenceStatus: TypeAlias = Literal[
    "open", "licensed-demo-wording", "licence-required-no-text", "licensed-installed"
]
LICENCE_STATUSES: tuple[LicenceStatus, ...] = (
    "open",
    "licensed-demo-wording",
    "licence-required-no-text",
    "licensed-installed",
)
# Files with these statuses may carry placeholders only, never an owner's text.
PLACEHOLDER_STATUSES = frozenset({"licensed-demo-wording", "licence-required-no-text"})

ScoringRule: TypeAlias = Literal[
    "nrs-0-10",
    "pgic-7",
    "single-choice",
    "odi-v2.1a",
    "rmdq-24",
    "peg-mean",
    "promis-t-score",
    "eq5d5l-value-set",
    "phq9-sum",
]
SCORING_RULES: tuple[ScoringRule, ...] = (
    "nrs-0-10",
    "pgic-7",
    "single-choice",
    "odi-v2.1a",
    "rmdq-24",
    "peg-mean",
    "promis-t-score",
    "eq5d5l-value-set",
    "phq9-sum",
)
# Which rules score through a clinic-installed table, and which kind of table.
TABLE_KINDS: dict[ScoringRule, Literal["t-score", "value-set"]] = {
    "promis-t-score": "t-score",
    "eq5d5l-value-set": "value-set",
}

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=64)]
Text = Annotated[str, StringConstraints(pattern=r"\S", max_length=2000)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(Model):
    """One answer of a choice item: the stored value and the label shown."""

    value: StrictInt
    label: Text


class ChoiceItem(Model):
    """An item answered by picking one option."""

    kind: Literal["choice"]
    id: Slug
    text: Text
    options: tuple[Option, ...] = Field(min_length=2)
    # "If applicable" items (ODI section 8) may be left out; scoring counts them as unanswered.
    may_skip: StrictBool = False

    @model_validator(mode="after")
    def _values_are_unique(self) -> "ChoiceItem":
        values = [option.value for option in self.options]
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            raise ValueError(f"option values repeat: {', '.join(map(str, repeated))}")
        return self

    @property
    def values(self) -> tuple[int, ...]:
        """The allowed answers, in display order."""
        return tuple(option.value for option in self.options)


class ScaleItem(Model):
    """An item answered with a whole number from ``min`` to ``max`` (e.g. a 0-10 rating)."""

    kind: Literal["scale"]
    id: Slug
    text: Text
    min: StrictInt
    max: StrictInt
    min_label: Text
    max_label: Text
    may_skip: StrictBool = False

    @model_validator(mode="after")
    def _range_is_increasing(self) -> "ScaleItem":
        if self.min >= self.max:
            raise ValueError(f"min ({self.min}) must be below max ({self.max})")
        return self

    @property
    def values(self) -> tuple[int, ...]:
        """The allowed answers, lowest first."""
        return tuple(range(self.min, self.max + 1))


Item = Annotated[ChoiceItem | ScaleItem, Field(discriminator="kind")]


class Section(Model):
    """One page of the survey."""

    id: Slug
    title: Text
    items: tuple[Item, ...] = Field(min_length=1)


class Licence(Model):
    status: LicenceStatus
    holder: Text | None = None
    note: Text | None = None


class Instrument(Model):
    """A questionnaire: structure, wording, licence and scoring rule id."""

    id: Slug
    version: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9.\-]*$")]
    title: Text
    recall_period: Text | None = None
    licence: Licence
    source: Text
    scoring_rule: ScoringRule
    # Shown to the patient under the title when the licence asks for it (PHQ-9).
    attribution: Text | None = None
    sections: tuple[Section, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _is_consistent(self) -> "Instrument":
        problems = _duplicate_ids(self) + shape_problems(self)
        if self.licence.status in PLACEHOLDER_STATUSES:
            problems += [
                f"{path}: must be a placeholder containing {DEMO_WORDING!r} "
                f"(licence status {self.licence.status!r}); install licensed text instead"
                for path, text in visible_texts(self)
                if DEMO_WORDING not in text.lower()
            ]
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @property
    def items(self) -> tuple[ChoiceItem | ScaleItem, ...]:
        """Every item in survey order."""
        return tuple(item for section in self.sections for item in section.items)

    @property
    def needs_table(self) -> bool:
        """True when scores need a clinic-installed lookup table (PROMIS, EQ-5D)."""
        return self.scoring_rule in TABLE_KINDS


def visible_texts(instrument: Instrument) -> Iterator[tuple[str, str]]:
    """Yield ``(path, text)`` for every text a patient sees (titles, item texts, labels)."""
    for i, section in enumerate(instrument.sections):
        yield f"sections[{i}].title", section.title
        for j, item in enumerate(section.items):
            path = f"sections[{i}].items[{j}]"
            yield f"{path}.text", item.text
            if isinstance(item, ChoiceItem):
                for k, option in enumerate(item.options):
                    yield f"{path}.options[{k}].label", option.label
            else:
                yield f"{path}.min_label", item.min_label
                yield f"{path}.max_label", item.max_label


def _duplicate_ids(instrument: Instrument) -> list[str]:
    problems = []
    seen_sections: set[str] = set()
    for i, section in enumerate(instrument.sections):
        if section.id in seen_sections:
            problems.append(f"sections[{i}].id: {section.id!r} is used twice")
        seen_sections.add(section.id)
    seen_items: set[str] = set()
    for path, item in item_paths(instrument):
        if item.id in seen_items:
            problems.append(f"{path}.id: item id {item.id!r} is used twice")
        seen_items.add(item.id)
    return problems
