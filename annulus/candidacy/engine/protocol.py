"""Protocol files: `protocols/<id>/v<N>.yaml`, their schema, loading, hashing and listing.

A released version is never edited; a change is a new file `v<N+1>.yaml`. Every decision records
the id, version and sha256 of the exact bytes it was made with. Files are parsed and compiled
once per process (cached), so batch evaluation pays for loading only once.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .case_errors import describe_validation_error
from .conditions import Cond, compile_condition
from .context import DiscogramRules, Scope
from .decision import ProtocolRef, Route
from .errors import ProtocolError, UnknownProtocolError
from .fastpath import FastJudge, compile_fast, compile_test
from .sections import Sections, compile_section
from .templates import Template, compile_template

__all__ = [
    "DEFAULT_PROTOCOL",
    "PROTOCOLS_DIR",
    "Check",
    "Criterion",
    "Protocol",
    "list_protocols",
    "load_protocol",
    "resolve_protocol",
    "with_fast_pass",
]

PROTOCOLS_DIR: Final[Path] = Path(__file__).resolve().parent.parent / "protocols"
DEFAULT_PROTOCOL: Final[str] = "annulus-default"

_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_FILE = re.compile(r"v([1-9][0-9]*)\.yaml")
_CASE: Final = frozenset({Scope.CASE})
_LEVEL: Final = frozenset({Scope.CASE, Scope.LEVEL})
_DISC: Final = frozenset({Scope.DISC})

# ------------------------------------------------------------------ the file's schema


class _Raw(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


RawCondition = dict[str, object]


class RawCheck(_Raw):
    pass_when: RawCondition
    route: Route


class RawWarning(_Raw):
    when: RawCondition
    warning: str


class RawCriterion(_Raw):
    id: str = Field(pattern=r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")
    title: str
    rule: str
    explanation: str
    source: str = Field(min_length=1)
    pass_when: RawCondition | None = None
    route: Route | None = None
    checks: list[RawCheck] | None = Field(default=None, min_length=1)
    if_not_met: Literal["fail", "missing"] = "fail"
    if_unknown: Literal["missing", "not_applicable"] = "missing"
    applies_when: RawCondition | None = None
    not_applicable: str | None = None
    warn_when: list[RawWarning] = []
    todo: str | None = None
    not_published: bool = False


class RawDiscogram(_Raw):
    positive_when: RawCondition
    negative_control_when: RawCondition
    source: str


class RawProtocol(_Raw):
    id: str
    version: int = Field(ge=1)
    title: str
    summary: str
    discogram: RawDiscogram
    red_flags: list[RawCriterion]
    criteria: list[RawCriterion]
    level_criteria: list[RawCriterion] = []


# ------------------------------------------------------------------ the compiled protocol


@dataclass(frozen=True, slots=True)
class Check:
    """One requirement of a criterion and where the patient goes when it is not met."""

    condition: Cond
    route: Route | None


@dataclass(frozen=True, slots=True)
class Criterion:
    """A compiled criterion (see docs/criteria-authoring.md for the meaning of each field)."""

    id: str
    title: str
    rule: str
    source: str
    scope: Scope
    explanation: Template
    checks: tuple[Check, ...]
    if_not_met: Literal["fail", "missing"]
    if_unknown: Literal["missing", "not_applicable"]
    applies_when: Cond | None
    not_applicable: Template | None
    warn_when: tuple[tuple[Cond, Template], ...]
    todo: Template | None
    not_published: bool
    fast: FastJudge | None = None
    """The criterion's plain pass compiled to one function (see `fastpath.py`), used only when
    the protocol has no compiled sections. The loader compiles the sections and leaves this
    None (compiling both cost every start-up ~74 M instructions for functions a batch never
    calls); `with_fast_pass` fills it in, for tests that judge criterion by criterion."""


@dataclass(frozen=True, slots=True)
class Protocol:
    """A loaded, compiled protocol version."""

    id: str
    version: int
    title: str
    summary: str
    sha256: str
    path: Path
    discogram: DiscogramRules
    red_flags: tuple[Criterion, ...]
    criteria: tuple[Criterion, ...]
    level_criteria: tuple[Criterion, ...]
    sections: Sections | None = None
    """The three sections compiled to one function each (see `sections.py`); without them
    `evaluate` judges criterion by criterion."""

    @property
    def ref(self) -> ProtocolRef:
        return ProtocolRef(self.id, self.version, self.sha256)


def with_fast_pass(criterion: Criterion) -> Criterion:
    """`criterion` with its plain pass compiled on its own (fastpath.py), if it can be."""
    if criterion.not_published:
        return criterion
    fast = compile_fast(
        ident=criterion.id,
        source=criterion.source,
        title=criterion.title,
        explanation=criterion.explanation,
        applies_when=criterion.applies_when,
        checks=tuple(check.condition for check in criterion.checks),
        warn_when=tuple(condition for condition, _ in criterion.warn_when),
    )
    return replace(criterion, fast=fast)


# ------------------------------------------------------------------ loading


def load_protocol(
    protocol_id: str, version: int | None = None, *, directory: Path | None = None
) -> Protocol:
    """Load a released protocol: the newest version unless `version` is given.

    Raises `UnknownProtocolError` for an id or version that does not exist, `ProtocolError` for
    a file that does not follow the schema and vocabulary.
    """
    root = PROTOCOLS_DIR if directory is None else directory
    versions = _versions(root, protocol_id)
    if not versions:
        known = ", ".join(_ids(root)) or "none"
        raise UnknownProtocolError(f"unknown protocol {protocol_id!r} (known: {known})")
    if version is None:
        version = versions[-1]
    elif version not in versions:
        released = ", ".join(str(v) for v in versions)
        raise UnknownProtocolError(
            f"protocol {protocol_id!r} has no version {version} (released: {released})"
        )
    return _load_file(root / protocol_id / f"v{version}.yaml")


def resolve_protocol(reference: str | None = None, *, directory: Path | None = None) -> Protocol:
    """Load `ID` or `ID@VERSION` (the command line's `--protocol`); None is the default."""
    if reference is None:
        return load_protocol(DEFAULT_PROTOCOL, directory=directory)
    protocol_id, at, version = reference.partition("@")
    if at and not version.isdigit():
        raise UnknownProtocolError(f"protocol {reference!r}: write ID or ID@VERSION, e.g. {_EG}")
    return load_protocol(protocol_id, int(version) if at else None, directory=directory)


_EG = f"{DEFAULT_PROTOCOL}@1"


def list_protocols(*, directory: Path | None = None) -> list[Protocol]:
    """Every released version of every protocol, by id then version."""
    root = PROTOCOLS_DIR if directory is None else directory
    return [
        load_protocol(protocol_id, version, directory=root)
        for protocol_id in _ids(root)
        for version in _versions(root, protocol_id)
    ]


def _ids(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if _versions(root, p.name))


def _versions(root: Path, protocol_id: str) -> list[int]:
    folder = root / protocol_id
    if not _ID.fullmatch(protocol_id) or not folder.is_dir():
        return []
    found = (_FILE.fullmatch(p.name) for p in folder.iterdir())
    return sorted(int(m.group(1)) for m in found if m)


# libyaml's safe loader when PyYAML was built with it: the same documents, parsed in C (the
# pure-Python parser was a third of `annulus evaluate`'s start-up).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def _load_file(path: Path) -> Protocol:
    data = path.read_bytes()
    where = f"{path.parent.name}/{path.name}"
    try:
        raw_data = yaml.load(data, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise ProtocolError(f"{where}: not valid YAML ({exc})") from None
    try:
        raw = RawProtocol.model_validate(raw_data)
    except ValidationError as exc:
        first = describe_validation_error(exc.errors()[0], RawProtocol)
        raise ProtocolError(f"{where}: {first}") from None
    if raw.id != path.parent.name or f"v{raw.version}.yaml" != path.name:
        raise ProtocolError(
            f"{where}: the file says id {raw.id!r} version {raw.version}; "
            "it must live at <id>/v<version>.yaml"
        )
    return _compile(raw, hashlib.sha256(data).hexdigest(), path, where)


def _compile(raw: RawProtocol, sha256: str, path: Path, where: str) -> Protocol:
    # Every discogram of every case is classified by these two rules: compiled (fastpath.py).
    discogram = DiscogramRules(
        positive=compile_test(
            compile_condition(
                raw.discogram.positive_when, f"{where}: discogram.positive_when", _DISC
            )
        ),
        negative_control=compile_test(
            compile_condition(
                raw.discogram.negative_control_when,
                f"{where}: discogram.negative_control_when",
                _DISC,
            )
        ),
    )
    sections = (("red_flags", _CASE), ("criteria", _CASE), ("level_criteria", _LEVEL))
    compiled: dict[str, tuple[Criterion, ...]] = {}
    seen: set[str] = set()
    for name, scopes in sections:
        items = []
        for i, raw_criterion in enumerate(getattr(raw, name)):
            label = f"{where}: {name}[{i}] ({raw_criterion.id})"
            if raw_criterion.id in seen:
                raise ProtocolError(f"{label}: the id is used twice")
            seen.add(raw_criterion.id)
            items.append(_criterion(raw_criterion, scopes, label))
        compiled[name] = tuple(items)
    for criterion in compiled["red_flags"]:
        if len(criterion.checks) != 1 or criterion.applies_when or criterion.if_not_met != "fail":
            raise ProtocolError(
                f"{where}: red flag {criterion.id} must be a plain `pass_when` with a `route`"
            )
    mentioned = {
        fact.name
        for criterion in compiled["criteria"]
        for check in criterion.checks
        for fact in check.condition.facts()
    }
    if "discography.positive_level_found" not in mentioned:
        raise ProtocolError(
            f"{where}: no criterion requires discography.positive_level_found; a protocol must "
            "confirm the painful level before anyone is a candidate"
        )
    return Protocol(
        id=raw.id,
        version=raw.version,
        title=raw.title,
        summary=raw.summary,
        sha256=sha256,
        path=path,
        discogram=discogram,
        red_flags=compiled["red_flags"],
        criteria=compiled["criteria"],
        level_criteria=compiled["level_criteria"],
        sections=Sections(
            *(
                compile_section(compiled[name], f"{where}: {name}", at_root=scopes is _CASE)
                for name, scopes in sections
            )
        ),
    )


def _criterion(raw: RawCriterion, scopes: frozenset[Scope], where: str) -> Criterion:
    scope = Scope.LEVEL if Scope.LEVEL in scopes else Scope.CASE
    if raw.not_published:
        has_logic = raw.pass_when or raw.checks or raw.warn_when or raw.applies_when or raw.route
        if has_logic:
            raise ProtocolError(f"{where}: a not_published criterion has no conditions or route")
        if "not published" not in raw.explanation.lower():
            raise ProtocolError(f"{where}: a not_published criterion says 'not published'")
    if raw.pass_when is not None and raw.checks is not None:
        raise ProtocolError(f"{where}: write either pass_when (with route) or checks, not both")
    checks: list[Check] = []
    if raw.pass_when is not None:
        if (raw.route is None) == (raw.if_not_met == "fail"):
            raise ProtocolError(
                f"{where}: a criterion that fails needs a route; one that only asks for more "
                "information (if_not_met: missing) has none"
            )
        checks.append(
            Check(compile_condition(raw.pass_when, f"{where}.pass_when", scopes), raw.route)
        )
    elif raw.route is not None:
        raise ProtocolError(f"{where}: route without pass_when (use checks for several routes)")
    for i, check in enumerate(raw.checks or ()):
        checks.append(
            Check(compile_condition(check.pass_when, f"{where}.checks[{i}]", scopes), check.route)
        )
    if raw.checks and raw.if_not_met != "fail":
        raise ProtocolError(f"{where}: checks carry routes, so if_not_met must be fail")
    if not (checks or raw.warn_when or raw.not_published):
        raise ProtocolError(f"{where}: give pass_when, checks or warn_when")
    needs_na = raw.applies_when is not None or raw.if_unknown == "not_applicable"
    if needs_na and raw.not_applicable is None:
        raise ProtocolError(f"{where}: say in `not_applicable` why the criterion may not apply")

    def template(text: str | None, field: str) -> Template | None:
        return None if text is None else compile_template(text, f"{where}.{field}", scopes)

    applies = (
        None
        if raw.applies_when is None
        else compile_condition(raw.applies_when, f"{where}.applies_when", scopes)
    )
    explanation = compile_template(raw.explanation, f"{where}.explanation", scopes)
    warn_when = tuple(
        (
            compile_condition(w.when, f"{where}.warn_when[{i}].when", scopes),
            compile_template(w.warning, f"{where}.warn_when[{i}].warning", scopes),
        )
        for i, w in enumerate(raw.warn_when)
    )
    return Criterion(
        id=raw.id,
        title=raw.title,
        rule=raw.rule,
        source=raw.source,
        scope=scope,
        explanation=explanation,
        checks=tuple(checks),
        if_not_met=raw.if_not_met,
        if_unknown=raw.if_unknown,
        applies_when=applies,
        not_applicable=template(raw.not_applicable, "not_applicable"),
        warn_when=warn_when,
        todo=template(raw.todo, "todo"),
        not_published=raw.not_published,
    )
