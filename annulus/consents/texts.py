"""Consent texts as versioned data: `texts/<kind>/v<N>.yaml`, newest version current.

A signed consent names the kind, version, language and SHA-256 of the file it agreed to. Wording
is never edited in place: a change is a new file, and patients sign the new version as a new
consent. A translation is its own file beside the English one, `v<N>.<language>.yaml` (e.g.
`v1.es.yaml`), with its own SHA-256: the same version number says it is the same content, and
it must list the same statements (ids) as the English file of that version.
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
_KEYS = {"kind", "version", "language", "title", "paragraphs", "statements", "references"}
ENGLISH = "en"


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
    language: str
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


def _path(kind: str, version: int, language: str) -> Path:
    suffix = "" if language == ENGLISH else f".{language}"
    return texts_dir() / kind / f"v{version}{suffix}.yaml"


def has_translation(kind: str, version: int, language: str) -> bool:
    return language == ENGLISH or _path(kind, version, language).is_file()


def load_text(kind: str, version: int | None = None, language: str = ENGLISH) -> ConsentText:
    """The text of `kind` at `version` (the newest when None), in `language`.

    A translation must tick the same statements as the English text of its version: the
    patient agrees to the same things whichever language they read.
    """
    if version is None:
        version = current_version(kind)
    path = _path(kind, version, language)
    if not path.is_file():
        raise ConsentTextError(f"{kind}: no version {version} of the consent text in {language}")
    text = _parse(path, path.read_bytes())
    if language != ENGLISH:
        english = load_text(kind, version)
        if text.statement_ids != english.statement_ids:
            raise ConsentTextError(
                f"{path.parent.name}/{path.name}: statements must be those of v{version}.yaml "
                f"({', '.join(english.statement_ids)})"
            )
    return text


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
    number, _, language = path.stem[1:].partition(".")
    if data.get("version") != int(number):
        raise ConsentTextError(f"{where}: version must be {number}")
    if data.get("language", ENGLISH) != (language or ENGLISH):
        raise ConsentTextError(f"{where}: language must be {language or ENGLISH!r}")
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
        language=data.get("language", ENGLISH),
        title=data["title"],
        paragraphs=tuple(str(p) for p in data["paragraphs"]),
        statements=tuple(Statement(str(s["id"]), str(s["text"])) for s in statements),
        references=tuple((str(k), str(v)) for k, v in (data.get("references") or {}).items()),
        sha256=hashlib.sha256(raw).hexdigest(),
    )
