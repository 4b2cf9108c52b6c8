"""Evaluate a case under a protocol (spec §4.5).

1. Red flags first: any flag true → `urgent_referral`, routed by the true flags; nothing else
   is evaluated (the patient needs care now, not a work-up).
2. Then every case criterion, then every level criterion for each positive discography level
   (cranial to caudal). With no positive level the level criteria are `not_applicable`.
3. Any `fail` → `not_candidate` (routes of every failed criterion); else any `missing` →
   `needs_more_information` (no routes); else `candidate` (route `fibrin_injection`, the positive
   levels).

A criterion's own status comes from its checks (three-valued): a check that is known to fail
decides `fail` even when other facts are unknown; otherwise an unknown fact makes it `missing`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from .case import Case
from .context import Context, Fact
from .decision import CriterionResult, Decision, Outcome, Route, Status
from .discography import findings_for
from .levels import Level
from .protocol import Criterion, Protocol
from .sections import Judge, Sections

__all__ = ["NO_POSITIVE_LEVEL", "evaluate"]

NO_POSITIVE_LEVEL = (
    "No disc level is positive on discography (yet), so the level criteria do not apply."
)


def evaluate(case: Case, protocol: Protocol) -> Decision:
    """Decide for `case` under `protocol`. Pure and deterministic: same inputs, same decision."""
    root = Context(case, protocol.discogram)
    trace = _Trace()
    append = trace.results.append
    warn = trace.warnings.append
    judge = trace.judge
    # Each section's compiled function (sections.py): plain passes inline, the rest judged.
    sections = protocol.sections or _criterion_by_criterion(protocol)
    sections.red_flags(root, append, warn, judge)
    if trace.failed:
        return trace.decision(case, protocol, "urgent_referral", ())
    sections.criteria(root, append, warn, judge)
    positive = findings_for(root).positive_levels
    if positive:
        imaging = case.imaging
        findings = (imaging.levels if imaging is not None else None) or {}
        level_criteria = sections.level_criteria
        for level in positive:
            level_criteria(root.child(level, findings=findings.get(level)), append, warn, judge)
    else:
        for criterion in protocol.level_criteria:
            trace.add(criterion, root, "not_applicable", NO_POSITIVE_LEVEL)
    if trace.failed:
        return trace.decision(case, protocol, "not_candidate", ())
    if trace.missing:
        return trace.decision(case, protocol, "needs_more_information", ())
    return trace.decision(case, protocol, "candidate", positive)


def _criterion_by_criterion(protocol: Protocol) -> Sections:
    """Sections for a protocol loaded without them (tests take the compiled parts out)."""
    return Sections(
        partial(_one_by_one, protocol.red_flags),
        partial(_one_by_one, protocol.criteria),
        partial(_one_by_one, protocol.level_criteria),
    )


def _one_by_one(
    criteria: tuple[Criterion, ...],
    ctx: Context,
    append: Callable[[CriterionResult], None],
    warn: Callable[[str], None],
    judge: Judge,
) -> None:
    """Each criterion's compiled plain pass (fastpath.py) when it has one; else, or when it
    does not pass plainly, the general evaluation."""
    for criterion in criteria:
        fast = criterion.fast
        if fast is None or not fast(ctx, append):
            judge(criterion, ctx)


# CriterionResult from its fields in order, skipping the named tuple's Python-level __new__.
_new = tuple.__new__


class _Trace:
    """Collects the criterion results, routes, to-do items and warnings of one evaluation."""

    __slots__ = ("failed", "missing", "results", "routes", "todo", "warnings")

    def __init__(self) -> None:
        self.results: list[CriterionResult] = []
        self.routes: set[Route] = set()
        self.todo: dict[str, None] = {}  # ordered and unique
        self.warnings: list[str] = []
        self.failed = False
        self.missing = False

    def add(self, criterion: Criterion, ctx: Context, status: Status, explanation: str) -> None:
        self.results.append(
            _new(
                CriterionResult,
                (criterion.id, ctx.level, status, explanation, criterion.source, criterion.title),
            )
        )

    def judge(self, criterion: Criterion, ctx: Context) -> None:
        """Evaluate one criterion in `ctx` and record its result."""
        if criterion.not_published:
            self.add(criterion, ctx, "not_applicable", criterion.explanation.render(ctx))
            return
        applies = criterion.applies_when
        if applies is not None:
            answer = applies.test(ctx)
            if answer is None:
                self.unknown(criterion, ctx, applies.unknown_facts(ctx))
                return
            if not answer:
                self.not_applicable(criterion, ctx)
                return
        failed: list[Route | None] = []
        unknown: list[Fact] = []
        for check in criterion.checks:
            answer = check.condition.test(ctx)
            if answer is None:
                unknown.extend(check.condition.unknown_facts(ctx))
            elif not answer:
                failed.append(check.route)
        if failed:
            self.not_met(criterion, ctx, failed)
            return
        if unknown:
            self.unknown(criterion, ctx, unknown)
            return
        status: Status = "pass"
        for condition, warning in criterion.warn_when:
            answer = condition.test(ctx)
            if answer:
                status = "warning"
                self.warnings.append(warning.render(ctx))
            elif answer is None and not criterion.checks:
                unknown.extend(condition.unknown_facts(ctx))
        if status == "pass" and unknown:
            self.unknown(criterion, ctx, unknown)
            return
        self.add(criterion, ctx, status, criterion.explanation.render(ctx))

    def not_met(self, criterion: Criterion, ctx: Context, routes: list[Route | None]) -> None:
        explanation = criterion.explanation.render(ctx)
        if criterion.if_not_met == "fail":
            self.failed = True
            self.routes.update(route for route in routes if route is not None)
            self.add(criterion, ctx, "fail", explanation)
            return
        # A rule whose answer is "not yet" rather than "no", e.g. an MRI that is too old.
        self.missing = True
        self.todo[criterion.todo.render(ctx) if criterion.todo else criterion.rule] = None
        self.add(criterion, ctx, "missing", explanation)

    def unknown(self, criterion: Criterion, ctx: Context, facts: list[Fact]) -> None:
        if criterion.if_unknown == "not_applicable":
            self.not_applicable(criterion, ctx)
            return
        self.missing = True
        if criterion.todo is not None:
            items: list[str] = [criterion.todo.render(ctx)]
        else:
            items = list(dict.fromkeys(item for fact in facts for item in fact.todo(ctx)))
        for item in items:
            self.todo[item] = None
        self.add(
            criterion, ctx, "missing", f"Not known yet: {'; '.join(items)}. Rule: {criterion.rule}"
        )

    def not_applicable(self, criterion: Criterion, ctx: Context) -> None:
        assert criterion.not_applicable is not None  # the loader requires it
        self.add(criterion, ctx, "not_applicable", criterion.not_applicable.render(ctx))

    def decision(
        self, case: Case, protocol: Protocol, outcome: Outcome, levels: tuple[Level, ...]
    ) -> Decision:
        if outcome == "candidate":
            routes: tuple[Route, ...] = ("fibrin_injection",)
        elif outcome in ("urgent_referral", "not_candidate"):
            routes = tuple(sorted(self.routes))
        else:
            routes = ()
        return Decision(
            case_id=case.case_id,
            protocol=protocol.ref,
            outcome=outcome,
            levels=levels,
            routes=routes,
            criteria=tuple(self.results),
            missing=tuple(self.todo),
            warnings=tuple(self.warnings),
            assessed_on=case.assessed_on,
        )
