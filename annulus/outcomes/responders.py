"""Responder status: change at a follow-up time point against the patient's baseline.

All measures here are "lower is better" (ODI, NRS, RMDQ), so improvement = baseline - follow-up and
percent improvement = improvement ÷ baseline x 100. Thresholds come from clinical-reference §4.9
(Ostelo 2008 [P7]) and the platform definitions of §4.10:

- ODI: responder at ≥ 30 % of baseline (primary) or ≥ 10 points (sensitivity), ``ODI_RULE``;
- NRS back pain: ≥ 2 points or ≥ 30 %; ≥ 50 % reduction is reported as ``"strong"`` (the most
  common responder cut-off in chronic low back pain trials, §4.9 [P14]), ``NRS_RULE``;
- RMDQ: ≥ 5 points or ≥ 30 % (§4.9 [P7]), ``RMDQ_RULE``;
- the NCT01011816-style composite, ``composite_response``.

``Response.met`` says which criterion was met so a report can apply the primary rule alone.

Never a guess: a missing baseline or follow-up gives ``"unknown"``. A baseline of 0 leaves no room
to improve: the percent change is undefined (``percent=None``) and only the points criterion can
apply, which it cannot meet, so the status is ``"non-responder"``.

Comparisons are exact: values are read as the decimals they print as (``22.4`` is 22.4, not the
nearest binary float), so 32 → 22.4 is exactly a 30 % improvement.
"""

from dataclasses import dataclass
from fractions import Fraction
from math import isfinite
from typing import Literal, TypeAlias

__all__ = [
    "COMPOSITE_PERCENT",
    "NRS_RULE",
    "ODI_RULE",
    "RMDQ_RULE",
    "ChangeRule",
    "Composite",
    "CompositeStatus",
    "ResponderStatus",
    "Response",
    "classify_change",
    "composite_response",
    "nrs_response",
    "odi_response",
    "responder_label",
    "rmdq_response",
]

ResponderStatus: TypeAlias = Literal["strong", "responder", "non-responder", "unknown"]
CompositeStatus: TypeAlias = Literal["success", "failure", "unknown"]
Number: TypeAlias = int | float


@dataclass(frozen=True)
class ChangeRule:
    """Improvement needed on a 0-``scale_max`` measure where lower is better."""

    measure: str
    scale_max: int
    min_points: int
    min_percent: int
    strong_percent: int | None
    source: str


ODI_RULE = ChangeRule(
    "odi", 100, 10, 30, None, "clinical-reference §4.9 (Ostelo 2008 [P7]) and §4.10"
)
NRS_RULE = ChangeRule(
    "nrs", 10, 2, 30, 50, "clinical-reference §4.9 (Ostelo 2008 [P7]; ≥ 50 % [P14]) and §4.10"
)
RMDQ_RULE = ChangeRule("rmdq", 24, 5, 30, None, "clinical-reference §4.9 (Ostelo 2008 [P7])")


@dataclass(frozen=True)
class Response:
    """Responder status of one measure at one follow-up."""

    measure: str
    status: ResponderStatus
    baseline: float | None
    follow_up: float | None
    improvement: float | None  # points; positive = better
    percent: float | None  # improvement as % of baseline; None when undefined
    met: tuple[Literal["points", "percent", "strong"], ...]
    reason: str | None


def _exact(name: str, value: Number, scale_max: int) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | float) or not isfinite(value):
        raise ValueError(f"{name}: {value!r} is not a finite number")
    if not 0 <= value <= scale_max:
        raise ValueError(f"{name}: {value} is outside 0-{scale_max}")
    # repr() gives the shortest decimal that reads back as this float.
    return Fraction(repr(value))


def _percent(baseline: Fraction, follow_up: Fraction) -> Fraction | None:
    return (baseline - follow_up) * 100 / baseline if baseline else None


def _missing(baseline: Number | None, follow_up: Number | None) -> str | None:
    gaps = [name for name, v in (("baseline", baseline), ("follow-up", follow_up)) if v is None]
    return f"no {' and no '.join(gaps)} score" if gaps else None


def classify_change(
    rule: ChangeRule, baseline: Number | None, follow_up: Number | None
) -> Response:
    """Classify one patient's change on ``rule``'s measure. Out-of-range values raise ValueError."""
    reason = _missing(baseline, follow_up)
    if baseline is None or follow_up is None:
        return Response(
            rule.measure, "unknown", _float(baseline), _float(follow_up), None, None, (), reason
        )
    before = _exact(f"{rule.measure} baseline", baseline, rule.scale_max)
    after = _exact(f"{rule.measure} follow-up", follow_up, rule.scale_max)
    improvement = before - after
    percent = _percent(before, after)
    met: list[Literal["points", "percent", "strong"]] = []
    if improvement >= rule.min_points:
        met.append("points")
    if percent is not None and percent >= rule.min_percent:
        met.append("percent")
    if rule.strong_percent is not None and percent is not None and percent >= rule.strong_percent:
        met.append("strong")
    status: ResponderStatus = (
        "strong" if "strong" in met else "responder" if met else "non-responder"
    )
    return Response(
        measure=rule.measure,
        status=status,
        baseline=float(before),
        follow_up=float(after),
        improvement=float(improvement),
        percent=None if percent is None else float(percent),
        met=tuple(met),
        reason=None,
    )


def _float(value: Number | None) -> float | None:
    return None if value is None else float(value)


def odi_response(baseline: Number | None, follow_up: Number | None) -> Response:
    """ODI (0-100): responder at ≥ 30 % or ≥ 10 points improvement."""
    return classify_change(ODI_RULE, baseline, follow_up)


def nrs_response(baseline: Number | None, follow_up: Number | None) -> Response:
    """NRS pain (0-10): responder at ≥ 2 points or ≥ 30 %; ``"strong"`` at ≥ 50 %."""
    return classify_change(NRS_RULE, baseline, follow_up)


def rmdq_response(baseline: Number | None, follow_up: Number | None) -> Response:
    """RMDQ (0-24): responder at ≥ 5 points or ≥ 30 %."""
    return classify_change(RMDQ_RULE, baseline, follow_up)


# ---- the NCT01011816-style composite -----------------------------------------------------------

# NCT01011816 (the sponsor's phase III fibrin trial) defined "subject success" at 26 weeks as
# ≥ 30 % decrease in low back pain AND ≥ 30 % improvement in function (RMDQ) AND maintained
# neurological status AND no secondary intervention AND no serious adverse event
# (clinical-reference §1.3 [F3]). §4.10 derives the platform's comparable composite: ≥ 30 % LBP
# reduction AND ≥ 30 % RMDQ (or ODI) improvement AND no neurological decline AND no secondary
# intervention at the level AND no SAE. Its saline arm reached 39.3 % on this composite (§0, §5.4):
# show that benchmark beside any clinic figure. The caller picks the time point (26 weeks ≈ the
# 6-month follow-up).

COMPOSITE_PERCENT = 30
_FUNCTION_SCALE = {"rmdq": 24, "odi": 100}


@dataclass(frozen=True)
class Composite:
    """The composite: ``components`` maps each criterion to met / not met / unknown (None)."""

    status: CompositeStatus
    components: tuple[tuple[str, bool | None], ...]
    reason: str


def _thirty_percent(
    name: str, baseline: Number | None, follow_up: Number | None, scale_max: int
) -> bool | None:
    if baseline is None or follow_up is None:
        return None
    before = _exact(f"{name} baseline", baseline, scale_max)
    percent = _percent(before, _exact(f"{name} follow-up", follow_up, scale_max))
    # A baseline of 0 cannot fall by 30 %.
    return percent is not None and percent >= COMPOSITE_PERCENT


def _negate(value: bool | None) -> bool | None:
    return None if value is None else not value


def composite_response(
    *,
    pain_baseline: Number | None,
    pain_follow_up: Number | None,
    function_baseline: Number | None,
    function_follow_up: Number | None,
    neurological_status_maintained: bool | None,
    secondary_intervention_at_level: bool | None,
    serious_adverse_event: bool | None,
    function_measure: Literal["rmdq", "odi"] = "rmdq",
    pain_scale_max: int = 10,
) -> Composite:
    """The NCT01011816-style composite (clinical-reference §1.3, §4.10).

    Pain is low back pain on a 0-``pain_scale_max`` scale (NRS 0-10, or VAS 0-100 as in the
    trial); function is RMDQ (as in the trial) or ODI. ``None`` means not known.

    Three-valued: any criterion known to fail makes the composite a failure (that is a fact, not a
    guess); otherwise any unknown criterion makes it unknown; only all criteria met is a success.
    """
    if function_measure not in _FUNCTION_SCALE:
        raise ValueError(f"function_measure: {function_measure!r} is not 'rmdq' or 'odi'")
    components: tuple[tuple[str, bool | None], ...] = (
        (
            "pain-30-percent",
            _thirty_percent("pain", pain_baseline, pain_follow_up, pain_scale_max),
        ),
        (
            f"{function_measure}-30-percent",
            _thirty_percent(
                function_measure,
                function_baseline,
                function_follow_up,
                _FUNCTION_SCALE[function_measure],
            ),
        ),
        ("neurological-status-maintained", neurological_status_maintained),
        ("no-secondary-intervention", _negate(secondary_intervention_at_level)),
        ("no-serious-adverse-event", _negate(serious_adverse_event)),
    )
    failed = [name for name, met in components if met is False]
    unknown = [name for name, met in components if met is None]
    if failed:
        return Composite("failure", components, "not met: " + ", ".join(failed))
    if unknown:
        return Composite("unknown", components, "not known: " + ", ".join(unknown))
    return Composite("success", components, "all criteria met")


def responder_label(change: Response) -> str:
    """The per-patient label: the primary rule (≥ 30 % of baseline, §4.10) kept apart from the
    minimal important change in points. ODI 70 → 60 improved by the MIC (10 points) but only
    14 %, so it is "Improved by the MIC", never "Responder"."""
    if change.status == "unknown":
        return "Unknown"
    if "strong" in change.met:
        return "Strong responder"
    if "percent" in change.met:
        return "Responder"
    if "points" in change.met:
        return "Improved by the MIC"
    return "Not a responder"
