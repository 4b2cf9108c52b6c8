"""Reading instrument and table files: validation errors that name the path at fault."""

import re
from collections.abc import Sequence
from pathlib import Path

import yaml
from pydantic import (
    TypeAdapter,
    ValidationError,
)

from .model import INSTRUMENTS_DIR, SLUG_PATTERN, Instrument
from .tables import LookupTable, TScoreTable, ValueSet

# libyaml's safe loader when PyYAML has it: the same documents parsed in C, several times faster
# than the pure-Python parser (as in candidacy/engine/protocol.py).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

__all__ = [
    "InstrumentFileError",
    "UnknownInstrument",
    "list_instruments",
    "load_instrument",
    "load_instrument_file",
    "parse_instrument",
    "parse_table",
]


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
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)  # noqa: S506
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InstrumentFileError(str(path), [f"cannot be read as YAML: {exc}"]) from None


def load_instrument_file(path: Path) -> Instrument:
    """Read and validate one instrument file (for example a clinic's licensed text)."""
    return parse_instrument(_read_yaml(path), source=str(path))


def load_instrument(instrument_id: str, *, directory: Path = INSTRUMENTS_DIR) -> Instrument:
    """Load ``<directory>/<instrument_id>.yaml``; its ``id`` must match the file name."""
    path = directory / f"{instrument_id}.yaml"
    if not re.fullmatch(SLUG_PATTERN, instrument_id) or not path.is_file():
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
