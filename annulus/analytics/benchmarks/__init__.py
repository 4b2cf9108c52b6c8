"""Published benchmarks as versioned data (``v<N>.yaml``), validated with pydantic. No Django.

Every figure names its source and the caveats that go with comparing it (clinical-reference §5.6).
``load()`` returns the newest version unless asked for another.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

# libyaml's safe loader when PyYAML has it: the same documents parsed in C, several times faster
# than the pure-Python parser (as in candidacy/engine/protocol.py).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

__all__ = ["Benchmark", "BenchmarkSet", "Source", "load"]

HERE = Path(__file__).parent
Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$", max_length=80)]


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    citation: Annotated[str, StringConstraints(min_length=10)]
    reference: Annotated[str, StringConstraints(min_length=3)]


class Benchmark(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Id
    source: Id
    arm: Id
    group: Annotated[str, StringConstraints(min_length=3)]
    measure: Id
    unit: Literal["fraction", "points"]
    scale: str = ""
    months: float = Field(ge=0)
    value: float
    ci_low: float | None = None
    ci_high: float | None = None
    n: int | None = Field(default=None, ge=1)
    n_note: str = ""
    caveats: tuple[Id, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _sensible(self) -> Benchmark:
        if self.unit == "fraction" and not 0 <= self.value <= 1:
            raise ValueError(f"{self.id}: a fraction must lie in 0-1, got {self.value}")
        if (self.ci_low is None) != (self.ci_high is None):
            raise ValueError(f"{self.id}: give both ends of the interval or neither")
        if self.ci_low is not None and not self.ci_low <= self.value <= (self.ci_high or 0):
            raise ValueError(f"{self.id}: the value lies outside its interval")
        if self.n is None and not self.n_note:
            raise ValueError(f"{self.id}: without n, say why in n_note")
        return self


class BenchmarkSet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    caveats: dict[Id, Annotated[str, StringConstraints(min_length=10)]]
    sources: dict[Id, Source]
    benchmarks: tuple[Benchmark, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _references_resolve(self) -> BenchmarkSet:
        problems = []
        seen: set[str] = set()
        for b in self.benchmarks:
            if b.id in seen:
                problems.append(f"{b.id}: id used twice")
            seen.add(b.id)
            if b.source not in self.sources:
                problems.append(f"{b.id}: unknown source {b.source!r}")
            problems += [
                f"{b.id}: unknown caveat {c!r}" for c in b.caveats if c not in self.caveats
            ]
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def citation(self, benchmark: Benchmark) -> str:
        source = self.sources[benchmark.source]
        return f"{source.citation}; {source.reference}"

    def find(self, *, measure: str | None = None, arm: str | None = None) -> list[Benchmark]:
        return [
            b
            for b in self.benchmarks
            if (measure is None or b.measure == measure) and (arm is None or b.arm == arm)
        ]


def versions() -> list[int]:
    return sorted(int(p.stem[1:]) for p in HERE.glob("v*.yaml") if p.stem[1:].isdigit())


@lru_cache(maxsize=8)
def load(version: int | None = None) -> BenchmarkSet:
    """The benchmark set of ``version`` (default: the newest). Raises ValueError when invalid."""
    chosen = version if version is not None else versions()[-1]
    path = HERE / f"v{chosen}.yaml"
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)  # noqa: S506
    loaded = BenchmarkSet.model_validate(data)
    if loaded.version != chosen:
        raise ValueError(f"{path.name} says version {loaded.version}")
    return loaded
