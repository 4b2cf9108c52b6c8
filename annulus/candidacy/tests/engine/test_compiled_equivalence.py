"""The compiled paths (sections.py, fastpath.py) change nothing: every decision, byte for byte.

Each protocol as loaded (each section compiled to one function, discogram rules compiled)
decides generated cases exactly as the same protocol with every compiled part taken out, so that
only the condition objects judge, and as the same protocol judged criterion by criterion with
each criterion's own compiled pass (fastpath.py). Compared: the batch JSON line, the spec §3 dict
and the consult note.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from annulus.candidacy.engine import (
    Protocol,
    evaluate,
    parse_case,
    render_text,
    resolve_protocol,
)
from annulus.candidacy.engine.context import DiscogramRules
from annulus.candidacy.engine.fastpath import CompiledCondition
from annulus.candidacy.engine.protocol import with_fast_pass

from .strategies import any_case, near_candidates

PROTOCOLS = ["annulus-default@1", "annulus-default@2", "yin-2014-pilot", "nct01011816-phase3"]
PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def general_only(protocol: Protocol) -> Protocol:
    """`protocol` without any compiled part: the condition objects judge everything."""

    def plain(condition: object) -> Any:
        assert isinstance(condition, CompiledCondition)  # the loader compiles both rules
        return condition.condition

    def strip(criteria: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(dataclasses.replace(c, fast=None) for c in criteria)

    rules = protocol.discogram
    return dataclasses.replace(
        protocol,
        discogram=DiscogramRules(plain(rules.positive), plain(rules.negative_control)),
        red_flags=strip(protocol.red_flags),
        criteria=strip(protocol.criteria),
        level_criteria=strip(protocol.level_criteria),
        sections=None,
    )


LOADED = {ref: resolve_protocol(ref) for ref in PROTOCOLS}
GENERAL = {ref: general_only(protocol) for ref, protocol in LOADED.items()}


def one_by_one(protocol: Protocol) -> Protocol:
    """`protocol` judged criterion by criterion, each with its own compiled pass (fastpath.py)."""

    def fast(criteria: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(with_fast_pass(c) for c in criteria)

    return dataclasses.replace(
        protocol,
        red_flags=fast(protocol.red_flags),
        criteria=fast(protocol.criteria),
        level_criteria=fast(protocol.level_criteria),
        sections=None,
    )


ONE_BY_ONE = {ref: one_by_one(p) for ref, p in LOADED.items()}


def outputs(case: dict[str, Any], protocol: Protocol) -> tuple[str, bytes, str, str]:
    decision = evaluate(parse_case(case), protocol)
    as_dict = json.dumps(decision.to_dict(), indent=2, ensure_ascii=False)
    return decision.to_json(), decision.to_json_bytes(), as_dict, render_text(decision)


@pytest.mark.parametrize("ref", PROTOCOLS)
@PROPERTY
@given(case=any_case())
def test_compiled_and_general_paths_decide_any_case_alike(ref: str, case: dict[str, Any]) -> None:
    expected = outputs(case, GENERAL[ref])
    assert outputs(case, LOADED[ref]) == expected
    assert outputs(case, ONE_BY_ONE[ref]) == expected


@pytest.mark.parametrize("ref", PROTOCOLS)
@PROPERTY
@given(case=near_candidates())
def test_compiled_and_general_paths_decide_near_candidates_alike(
    ref: str, case: dict[str, Any]
) -> None:
    expected = outputs(case, GENERAL[ref])
    assert outputs(case, LOADED[ref]) == expected
    assert outputs(case, ONE_BY_ONE[ref]) == expected


def test_the_general_only_protocol_really_has_no_compiled_part() -> None:
    general = GENERAL["annulus-default@2"]
    assert all(c.fast is None for c in general.criteria + general.level_criteria)
    assert general.sections is None and ONE_BY_ONE["annulus-default@2"].sections is None
    assert not isinstance(general.discogram.positive, CompiledCondition)
    loaded = LOADED["annulus-default@2"]
    assert loaded.sections is not None
    # The loader compiles the sections only; the per-criterion passes are the tests' own.
    assert all(c.fast is None for c in loaded.red_flags + loaded.criteria + loaded.level_criteria)
    one_by_one = ONE_BY_ONE["annulus-default@2"]
    assert any(c.fast is not None for c in one_by_one.criteria + one_by_one.level_criteria)
    assert all(c.fast is None for c in one_by_one.criteria if c.not_published)


@pytest.mark.parametrize("ref", PROTOCOLS)
@PROPERTY
@given(case=any_case())
def test_remembered_discogram_descriptions_are_the_ones_written_afresh(
    ref: str, case: dict[str, Any]
) -> None:
    from annulus.candidacy.engine.context import Context
    from annulus.candidacy.engine.discography import findings_for
    from annulus.candidacy.engine.facts import diagnostics

    protocol = LOADED[ref]
    findings = findings_for(Context(parse_case(case), protocol.discogram))
    for result in findings.results * 2:  # the second time from the memo
        assert diagnostics.describe_disc(result) == diagnostics._describe(result)


def test_discogram_descriptions_are_right_when_the_memo_forgets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from annulus.candidacy.engine.facts import diagnostics

    from .support import example_v2

    monkeypatch.setattr(diagnostics, "_DESCRIPTIONS_SIZE", 1)
    monkeypatch.setattr(diagnostics, "_DESCRIPTIONS", {})
    protocol = LOADED["annulus-default@2"]
    for intensity in (8, 9, 8):
        case = example_v2(**{"diagnostics.discography": None})
        disc = {"level": "L4-L5", "concordance": "concordant", "pain_intensity": intensity}
        case["diagnostics"]["discography"] = [{**disc, "pain_onset_psi_above_opening": 20}]
        line = next(
            c for c in evaluate(parse_case(case), protocol).criteria if c.id == "D-DISCOGRAPHY"
        )
        assert f"L4-L5 concordant {intensity}/10 at 20 psi above opening (positive)" in (
            line.explanation
        )
