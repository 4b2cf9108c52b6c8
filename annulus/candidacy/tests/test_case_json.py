"""case_json writes exactly what json.dumps(indent=2, ensure_ascii=False) writes."""

from __future__ import annotations

import json
import random
import sys
from datetime import date
from pathlib import Path

import pytest

from annulus.candidacy.case_json import case_json

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
from candidacy_cases import make_case, make_full_case


def standard(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


@pytest.mark.parametrize("seed", range(3))
def test_generated_cases_are_written_byte_for_byte_as_json_dumps(seed: int) -> None:
    rng = random.Random(seed)
    for number in range(200):
        for case in (make_case(rng, number), make_full_case(rng, number)):
            assert case_json(case) == standard(case)


@pytest.mark.parametrize(
    "value",
    [
        {},
        [],
        {"a": {}, "b": [], "c": [{}], "d": [[1, 2], []]},
        {"name": 'Zoë "quoted" \\ back\nslash\t\u2028 ✓', "n": -0.0, "big": 10**20},
        {"x": 1e-7, "y": 3.0, "z": 2.5, "t": True, "f": False, "none": None},
    ],
)
def test_edge_values_match(value: object) -> None:
    assert case_json(value) == standard(value)  # type: ignore[arg-type]


def test_values_json_cannot_write_natively_fall_back_to_json_dumps() -> None:
    assert case_json({"x": float("nan")}) == standard({"x": float("nan")})
    assert case_json({"x": float("inf")}) == standard({"x": float("inf")})
    assert case_json({"x": {1: "a"}}) == standard({"x": {1: "a"}})
    assert case_json({"x": (1, 2)}) == standard({"x": (1, 2)})
    with pytest.raises(TypeError):
        case_json({"x": date(2026, 1, 1)})
