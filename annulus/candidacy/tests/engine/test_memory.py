"""The engine remembers results by their values; remembering must never change a decision."""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from annulus.candidacy.engine import discography as discography_module
from annulus.candidacy.engine import evaluate, parse_case, resolve_protocol
from annulus.candidacy.engine.context import Context
from annulus.candidacy.engine.facts import FACTS, FIELD_FACTS
from annulus.candidacy.engine.facts import diagnostics as diagnostics_module
from annulus.candidacy.engine.prefill import prefill_case, prefill_disc, prefill_findings

from .strategies import any_case
from .support import V2_CASES_DIR

# The module, not the function of the same name that the package exports.
evaluate_module = importlib.import_module("annulus.candidacy.engine.evaluate")
PROTOCOLS = ["annulus-default@1", "annulus-default@2", "yin-2014-pilot", "nct01011816-phase3"]
V2_CASES = [
    json.loads(path.read_text(encoding="utf-8"))["case"]
    for path in sorted(V2_CASES_DIR.glob("*.json"))
]


def decisions(cases: list[dict[str, Any]], reference: str) -> list[str]:
    protocol = resolve_protocol(reference)
    return [json.dumps(evaluate(parse_case(case), protocol).to_dict()) for case in cases]


@pytest.mark.parametrize("reference", PROTOCOLS)
def test_it_decides_the_same_when_it_must_forget_after_every_result(
    reference: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    remembered = decisions(V2_CASES * 2, reference)
    protocol = resolve_protocol(reference)
    for criterion in (*protocol.red_flags, *protocol.criteria, *protocol.level_criteria):
        criterion.memo.clear()
    protocol.discogram.memo.clear()
    monkeypatch.setattr(diagnostics_module, "_DESCRIBED", {})
    monkeypatch.setattr(evaluate_module, "MEMO_SIZE", 1)
    monkeypatch.setattr(discography_module, "MEMO_SIZE", 1)
    monkeypatch.setattr(diagnostics_module, "DESCRIBED_SIZE", 1)

    assert decisions(V2_CASES * 2, reference) == remembered


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=any_case())
def test_it_prefills_exactly_what_each_field_fact_computes(case: dict[str, Any]) -> None:
    parsed = parse_case(case)
    protocol = resolve_protocol("annulus-default@2")
    root = Context(parsed, protocol.discogram)
    prefill_case(root)
    contexts = [root]
    imaging = parsed.imaging
    levels = (imaging.levels if imaging is not None else None) or {}
    for level in ("L4-L5", "L5-S1"):
        ctx = root.child(level, findings=levels.get(level))
        prefill_findings(ctx)
        contexts.append(ctx)
    diagnostics = parsed.diagnostics
    for disc in (diagnostics.discography or []) if diagnostics is not None else []:
        ctx = root.child(disc.level, disc=disc)
        prefill_disc(ctx)
        contexts.append(ctx)

    for ctx in contexts:
        for name in FIELD_FACTS:
            if name in ctx.cache:
                assert ctx.cache[name] == FACTS[name].get(ctx), name
    assert {name for name, (holder, _) in FIELD_FACTS.items() if holder == "findings"} <= set(
        contexts[1].cache
    )
