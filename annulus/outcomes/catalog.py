"""Instrument files as validated data.

An instrument lives in ``instruments/<id>.yaml``: its id and version, title, recall period, licence,
the id of the scoring rule (a closed vocabulary, one pure function each in ``scoring``) and its
sections, each holding items. An item is either a ``choice`` (options with integer values) or a
``scale`` (every whole number from ``min`` to ``max``, with labels for both ends).

Licences (clinical-reference §4.8) are recorded per file in ``licence.status``:

``open``
    Our own wording (NRS, PGIC, satisfaction); nothing to install.
``licensed-demo-wording``
    Structure and scoring only. Every visible text is a placeholder that says "demo wording";
    the clinic installs its licensed text before real use (ODI, RMDQ, PEG).
``licence-required-no-text``
    As above, and the score also needs a table the clinic installs (PROMIS T-score tables,
    EQ-5D value sets); without it nothing is scored.
``licensed-installed``
    A clinic's licensed text, accepted by ``check_install``.

Files are never trusted: unknown keys, duplicate ids, a structure that does not fit the scoring
rule, or real-looking text in a file that must carry placeholders are refused with messages that
name the path at fault (``sections[2].items[0].options[3].value: ...``).
"""

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import product
from pathlib import Path
from typing import Annotated, Literal, TypeAlias

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
)

__all__ = [
    "DEMO_WORDING",
    "INSTRUMENTS_DIR",
    "LICENCE_STATUSES",
    "SCORING_RULES",
    "TABLE_KINDS",
    "ChoiceItem",
    "Instrument",
    "InstrumentFileError",
    "Item",
    "Licence",
    "LicenceStatus",
    "LookupTable",
    "Option",
    "ScaleItem",
    "ScoringRule",
    "Section",
    "TScoreTable",
    "UnknownInstrument",
    "ValueSet",
    "check_install",
    "check_table",
    "list_instruments",
    "load_instrument",
    "load_instrument_file",
    "parse_instrument",
    "parse_table",
    "visible_texts",
]

DEMO_WORDING = "demo wording"
INSTRUMENTS_DIR = Path(__file__).resolve().parent / "instruments"

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
_PLACEHOLDER_STATUSES = frozenset({"licensed-demo-wording", "licence-required-no-text"})

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

_SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=_SLUG_PATTERN, max_length=64)]
Text = Annotated[str, StringConstraints(pattern=r"\S", max_length=2000)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Model):
    """One answer of a choice item: the stored value and the label shown."""

    value: StrictInt
    label: Text


class ChoiceItem(_Model):
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


class ScaleItem(_Model):
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


class Section(_Model):
    """One page of the survey."""

    id: Slug
    title: Text
    items: tuple[Item, ...] = Field(min_length=1)


class Licence(_Model):
    status: LicenceStatus
    holder: Text | None = None
    note: Text | None = None


class Instrument(_Model):
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
        problems = _duplicate_ids(self) + _shape_problems(self)
        if self.licence.status in _PLACEHOLDER_STATUSES:
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


def _item_paths(instrument: Instrument) -> Iterator[tuple[str, ChoiceItem | ScaleItem]]:
    for i, section in enumerate(instrument.sections):
        for j, item in enumerate(section.items):
            yield f"sections[{i}].items[{j}]", item


def _duplicate_ids(instrument: Instrument) -> list[str]:
    problems = []
    seen_sections: set[str] = set()
    for i, section in enumerate(instrument.sections):
        if section.id in seen_sections:
            problems.append(f"sections[{i}].id: {section.id!r} is used twice")
        seen_sections.add(section.id)
    seen_items: set[str] = set()
    for path, item in _item_paths(instrument):
        if item.id in seen_items:
            problems.append(f"{path}.id: item id {item.id!r} is used twice")
        seen_items.add(item.id)
    return problems


# ---- which structure each scoring rule needs --------------------------------------------------


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


def _shape_problems(instrument: Instrument) -> list[str]:
    rule = instrument.scoring_rule
    specs = _SHAPES[rule](len(instrument.items))
    if len(specs) != len(instrument.items):
        return [
            f"sections: scoring rule {rule!r} needs {len(specs)} items, "
            f"the file has {len(instrument.items)}"
        ]
    problems = []
    for (path, item), spec in zip(_item_paths(instrument), specs, strict=True):
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


# ---- clinic-installed lookup tables ------------------------------------------------------------


def _profile_as_text(value: object) -> object:
    # YAML reads an unquoted 11111 as an integer.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Finite = Annotated[float, Field(allow_inf_nan=False)]
Profile = Annotated[str, BeforeValidator(_profile_as_text), StringConstraints(pattern=r"^\d+$")]


class TScoreTable(_Model):
    """A PROMIS raw-sum → T-score table, installed by the clinic (none is shipped)."""

    kind: Literal["t-score"]
    instrument: Slug
    version: str
    source: Text
    entries: dict[int, Finite] = Field(min_length=1)


class ValueSet(_Model):
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


# ---- loading -----------------------------------------------------------------------------------


def _numeric(key: str) -> float:
    return float(key)


class InstrumentFileError(ValueError):
    """A file that is not a valid instrument or table. ``problems`` name the path at fault."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = tuple(problems)
        super().__init__(f"{source}: " + "; ".join(self.problems))


class UnknownInstrument(LookupError):
    """No shipped instrument has this id."""


def _location(loc: tuple[int | str, ...]) -> str:
    path = ""
    previous: int | str | None = None
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not isinstance(previous, str) and part in ("choice", "scale", "t-score", "value-set"):
            pass  # pydantic's tag of a discriminated union, not a key in the file
        else:
            path += f".{part}" if path else part
        previous = part
    return path


def _problems(error: ValidationError) -> list[str]:
    problems = []
    for detail in error.errors():
        message = detail["msg"].removeprefix("Value error, ")
        where = _location(tuple(detail["loc"]))
        for line in message.splitlines():
            # Model-level checks already name their own path.
            problems.append(f"{where}: {line}" if where else line)
    return problems


def parse_instrument(data: object, *, source: str = "instrument") -> Instrument:
    """Validate already-parsed YAML/JSON data as an instrument, or raise InstrumentFileError."""
    try:
        return Instrument.model_validate(data)
    except ValidationError as exc:
        raise InstrumentFileError(source, _problems(exc)) from None


_TABLE: TypeAdapter[TScoreTable | ValueSet] = TypeAdapter(LookupTable)


def parse_table(data: object, *, source: str = "table") -> TScoreTable | ValueSet:
    """Validate already-parsed data as a lookup table, or raise InstrumentFileError."""
    try:
        return _TABLE.validate_python(data)
    except ValidationError as exc:
        raise InstrumentFileError(source, _problems(exc)) from None


def _read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InstrumentFileError(str(path), [f"cannot be read as YAML: {exc}"]) from None


def load_instrument_file(path: Path) -> Instrument:
    """Read and validate one instrument file (for example a clinic's licensed text)."""
    return parse_instrument(_read_yaml(path), source=str(path))


def load_instrument(instrument_id: str, *, directory: Path = INSTRUMENTS_DIR) -> Instrument:
    """Load ``<directory>/<instrument_id>.yaml``; its ``id`` must match the file name."""
    path = directory / f"{instrument_id}.yaml"
    if not re.fullmatch(_SLUG_PATTERN, instrument_id) or not path.is_file():
        known = ", ".join(p.stem for p in sorted(directory.glob("*.yaml")))
        raise UnknownInstrument(f"no instrument {instrument_id!r} (known: {known})")
    instrument = load_instrument_file(path)
    if instrument.id != instrument_id:
        raise InstrumentFileError(
            str(path), [f"id: {instrument.id!r} does not match the file name {instrument_id!r}"]
        )
    return instrument


def list_instruments(*, directory: Path = INSTRUMENTS_DIR) -> list[Instrument]:
    """Every instrument in ``directory``, ordered by id."""
    return [load_instrument(p.stem, directory=directory) for p in sorted(directory.glob("*.yaml"))]


# ---- installing a clinic's licensed text -------------------------------------------------------


def check_install(shipped: Instrument, candidate: Instrument) -> list[str]:
    """Return the problems that stop ``candidate`` (licensed text) replacing ``shipped``.

    The candidate must be the same instrument in everything but its wording: same id, version and
    scoring rule; the same sections and items, with the same ids, kinds and order; the same option
    values in the same order, and the same scale ranges. An empty list means it may be installed.
    """
    problems = []
    if shipped.licence.status not in _PLACEHOLDER_STATUSES:
        problems.append(
            f"licence.status: {shipped.id!r} ships as {shipped.licence.status!r}; "
            "there is no licensed text to install"
        )
    if candidate.licence.status != "licensed-installed":
        problems.append(
            f"licence.status: must be 'licensed-installed', got {candidate.licence.status!r}"
        )
    if candidate.licence.holder is None:
        problems.append("licence.holder: name the licence holder of the installed text")
    for field in ("id", "version", "scoring_rule"):
        expected, got = getattr(shipped, field), getattr(candidate, field)
        if expected != got:
            problems.append(f"{field}: expected {expected!r}, got {got!r}")
    problems += _compare_sections(shipped.sections, candidate.sections)
    problems += [
        f"{path}: still says {DEMO_WORDING!r}; install the licensed text"
        for path, text in visible_texts(candidate)
        if DEMO_WORDING in text.lower()
    ]
    return problems


def _count(expected: int, got: int, noun: str) -> str:
    return f"expected {expected} {noun}, got {got}"


def _compare_sections(shipped: Sequence[Section], candidate: Sequence[Section]) -> list[str]:
    problems = []
    if len(shipped) != len(candidate):
        problems.append(f"sections: {_count(len(shipped), len(candidate), 'sections')}")
    for i, (ours, theirs) in enumerate(zip(shipped, candidate, strict=False)):
        path = f"sections[{i}]"
        if ours.id != theirs.id:
            problems.append(f"{path}.id: expected {ours.id!r}, got {theirs.id!r}")
            continue
        if len(ours.items) != len(theirs.items):
            problems.append(f"{path}.items: {_count(len(ours.items), len(theirs.items), 'items')}")
        for j, (a, b) in enumerate(zip(ours.items, theirs.items, strict=False)):
            problems += _compare_items(f"{path}.items[{j}]", a, b)
    return problems


def _compare_items(path: str, ours: Item, theirs: Item) -> list[str]:
    if ours.id != theirs.id:
        return [f"{path}.id: expected {ours.id!r}, got {theirs.id!r}"]
    if ours.kind != theirs.kind:
        return [f"{path}.kind: expected {ours.kind!r}, got {theirs.kind!r}"]
    problems = []
    if ours.may_skip != theirs.may_skip:
        problems.append(f"{path}.may_skip: expected {ours.may_skip}, got {theirs.may_skip}")
    if isinstance(ours, ChoiceItem):
        assert isinstance(theirs, ChoiceItem)  # same kind, checked above
        if len(ours.options) != len(theirs.options):
            problems.append(
                f"{path}.options: {_count(len(ours.options), len(theirs.options), 'options')}"
            )
        for k, (a, b) in enumerate(zip(ours.options, theirs.options, strict=False)):
            if a.value != b.value:
                problems.append(f"{path}.options[{k}].value: expected {a.value}, got {b.value}")
    else:
        assert isinstance(theirs, ScaleItem)  # same kind, checked above
        for end in ("min", "max"):
            expected, got = getattr(ours, end), getattr(theirs, end)
            if expected != got:
                problems.append(f"{path}.{end}: expected {expected}, got {got}")
    return problems
