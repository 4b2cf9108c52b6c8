"""Consent texts as versioned data: `texts/<kind>/v<N>.yaml`, newest version current.

A signed consent names the kind, version and SHA-256 of the file it agreed to. Wording is never
edited in place: a change is a new file, and patients sign the new version as a new consent.
Files are checked when loaded (every key known, statements with unique ids), and a problem names
the file and the key.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

TEXTS_DIR = Path(__file__).resolve().parent / "texts"
_FILE = re.compile(r"v([1-9][0-9]*)\.yaml")
_KEYS = {"kind", "version", "title", "paragraphs", "statements", "references"}


class ConsentTextError(ValueError):
    """A consent text file that is missing or malformed."""


@dataclass(frozen=True)
class Statement:
    id: str
    text: str


@dataclass(frozen=True)
class ConsentText:
    kind: str
    version: int
    title: str
    paragraphs: tuple[str, ...]
    statements: tuple[Statement, ...]
    references: tuple[tuple[str, str], ...]
    sha256: str

    @property
    def statement_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.statements)


def texts_dir() -> Path:
    return Path(getattr(settings, "ANNULUS_CONSENT_TEXTS_DIR", None) or TEXTS_DIR)


def versions(kind: str) -> list[int]:
    folder = texts_dir() / kind
    if not folder.is_dir():
        return []
    found = (_FILE.fullmatch(p.name) for p in folder.iterdir())
    return sorted(int(m.group(1)) for m in found if m)


def current_version(kind: str) -> int:
    released = versions(kind)
    if not released:
        raise ConsentTextError(f"{kind}: no consent text is released")
    return released[-1]


def load_text(kind: str, version: int | None = None) -> ConsentText:
    """The text of `kind` at `version` (the newest when None)."""
    if version is None:
        version = current_version(kind)
    path = texts_dir() / kind / f"v{version}.yaml"
    if not path.is_file():
        raise ConsentTextError(f"{kind}: no version {version} of the consent text")
    return _parse(path, path.read_bytes())


@functools.lru_cache(maxsize=64)
def _parse(path: Path, raw: bytes) -> ConsentText:
    where = f"{path.parent.name}/{path.name}"
    data: Any = yaml.safe_load(raw)
    if not isinstance(data, dict):
        raise ConsentTextError(f"{where}: not a mapping")
    unknown = set(data) - _KEYS
    if unknown:
        raise ConsentTextError(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    if data.get("kind") != path.parent.name:
        raise ConsentTextError(f"{where}: kind must be {path.parent.name!r}")
    if data.get("version") != int(path.stem[1:]):
        raise ConsentTextError(f"{where}: version must be {path.stem[1:]}")
    statements = data.get("statements") or []
    ids = [s.get("id") for s in statements if isinstance(s, dict)]
    if not statements or len(ids) != len(statements) or len(set(ids)) != len(ids):
        raise ConsentTextError(f"{where}: statements need unique ids")
    if not all(isinstance(s.get("text"), str) and s["text"].strip() for s in statements):
        raise ConsentTextError(f"{where}: statements[].text is required")
    if not isinstance(data.get("title"), str) or not data.get("paragraphs"):
        raise ConsentTextError(f"{where}: title and paragraphs are required")
    return ConsentText(
        kind=data["kind"],
        version=data["version"],
        title=data["title"],
        paragraphs=tuple(str(p) for p in data["paragraphs"]),
        statements=tuple(Statement(str(s["id"]), str(s["text"])) for s in statements),
        references=tuple((str(k), str(v)) for k, v in (data.get("references") or {}).items()),
        sha256=hashlib.sha256(raw).hexdigest(),
    )
