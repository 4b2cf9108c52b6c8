"""Installing a clinic's licensed text or lookup table: all checked first, then one write.

A file is refused, with every problem named by its path in the file, when it is not YAML, does not
validate as an instrument or table, names an instrument we do not ship, or does not match the
shipped structure (``catalog.check_install``, ``catalog.check_table``). Nothing is written unless
everything passes, and then in one transaction with its audit event.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.db import transaction

from annulus.audit.actions import OUTCOMES_INSTRUMENT_INSTALL, OUTCOMES_TABLE_INSTALL
from annulus.audit.record import record
from annulus.outcomes import library
from annulus.outcomes.catalog import (
    TABLE_KINDS,
    Instrument,
    InstrumentFileError,
    UnknownInstrument,
    check_install,
    check_table,
    parse_instrument,
    parse_table,
)
from annulus.outcomes.models import InstalledInstrument, InstalledTable

# libyaml's safe loader when PyYAML has it: the same documents parsed in C, several times faster
# than the pure-Python parser (as in candidacy/engine/protocol.py).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

__all__ = ["InstallError", "Installed", "install_file"]


class InstallError(ValueError):
    """The file was refused. ``problems``: one line each, naming the path in the file."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


@dataclass(frozen=True)
class Installed:
    what: str  # "licensed text" or "lookup table"
    instrument_id: str
    version: str
    replaced: bool


def _read(path: Path) -> object:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)  # noqa: S506
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InstallError(str(path), [f"cannot be read as YAML: {exc}"]) from None


def _is_table(data: object) -> bool:
    return isinstance(data, dict) and data.get("kind") in set(TABLE_KINDS.values())


def install_file(path: Path) -> Installed:
    """Install a licensed-text file or a lookup-table file, or raise InstallError."""
    data = _read(path)
    source = str(path)
    if _is_table(data):
        return _install_table(data, source)
    return _install_text(data, source)


def _shipped(instrument_id: str, source: str, where: str) -> Instrument:
    try:
        return library.shipped(instrument_id)
    except UnknownInstrument as exc:
        raise InstallError(source, [f"{where}: {exc}"]) from None


def _install_text(data: object, source: str) -> Installed:
    try:
        candidate = parse_instrument(data, source=source)
    except InstrumentFileError as exc:
        raise InstallError(source, list(exc.problems)) from None
    shipped = _shipped(candidate.id, source, "id")
    problems = check_install(shipped, candidate)
    if problems:
        raise InstallError(source, problems)
    with transaction.atomic():
        row, created = InstalledInstrument.objects.update_or_create(
            instrument_id=candidate.id,
            defaults={
                "version": candidate.version,
                "definition": candidate.model_dump(mode="json"),
                "sha256": library.definition_sha256(candidate),
                "licence_holder": candidate.licence.holder or "",
                "source_name": Path(source).name[:300],
            },
        )
        record(
            OUTCOMES_INSTRUMENT_INSTALL,
            obj=row,
            details={
                "instrument": candidate.id,
                "version": candidate.version,
                "sha256": row.sha256,
            },
        )
    return Installed("licensed text", candidate.id, candidate.version, not created)


def _install_table(data: object, source: str) -> Installed:
    try:
        table = parse_table(data, source=source)
    except InstrumentFileError as exc:
        raise InstallError(source, list(exc.problems)) from None
    shipped = _shipped(table.instrument, source, "instrument")
    problems = check_table(shipped, table)
    if problems:
        raise InstallError(source, problems)
    with transaction.atomic():
        definition = table.model_dump(mode="json")
        row, created = InstalledTable.objects.update_or_create(
            instrument_id=table.instrument,
            defaults={
                "kind": table.kind,
                "version": table.version,
                "definition": definition,
                "sha256": hashlib.sha256(
                    json.dumps(definition, sort_keys=True).encode()
                ).hexdigest(),
                "source_name": Path(source).name[:300],
            },
        )
        record(
            OUTCOMES_TABLE_INSTALL,
            obj=row,
            details={"instrument": table.instrument, "version": table.version, "kind": table.kind},
        )
    return Installed("lookup table", table.instrument, table.version, not created)
