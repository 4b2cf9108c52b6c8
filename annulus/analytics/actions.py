"""Writes of the analytics app: auditing report access, and publishing a snapshot.

Both take the acting user and an ``AuditContext``; details hold codes, filters and counts only.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from annulus.analytics.models import MIN_DUE_TO_PUBLISH, PublishedSnapshot
from annulus.analytics.queries import Filters
from annulus.analytics.report import build_report
from annulus.audit.actions import ANALYTICS_REPORT_VIEW, ANALYTICS_SNAPSHOT_PUBLISH
from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.website.caching import bump_generation

PUBLISHED_ARM = "fibrin_injection"
SALINE_ARMS = ("saline_trial", "fibrin_trial")


class PublishError(ValueError):
    """The summary may not be published (too few due, an unknown time point)."""


def audit_report(
    report: dict[str, Any], *, fmt: str, ctx: AuditContext, user: Any, clinic: Any
) -> None:
    """One audit event per report produced (page, CSV, PDF, JSON, command)."""
    record(
        ANALYTICS_REPORT_VIEW,
        ctx=ctx,
        actor=user,
        clinic=clinic,
        details={
            "format": fmt,
            **{k: v for k, v in report["filters"].items() if v},
            "enrolled": sum(arm["enrolled"] for arm in report["arms"]),
        },
    )


def snapshot_summary(report: dict[str, Any], code: str) -> dict[str, Any]:
    """What goes public: the fibrin arm at one time point, completion and both attrition bounds,
    beside the phase III trial's saline and fibrin arms and the caveats."""
    arm = next((a for a in report["arms"] if a["arm"] == PUBLISHED_ARM), None)
    point = (
        None if arm is None else next((p for p in arm["time_points"] if p["code"] == code), None)
    )
    if arm is None or point is None:
        raise PublishError(f"code: no time point {code!r} in the fibrin arm")
    keep = ("code", "label", "months", "due", "answered", "completion", "completion_ci_low",
            "completion_ci_high", "evaluable", "responders", "responder_rate", "ci_low",
            "ci_high", "worst_case_rate", "best_case_rate", "composite")  # fmt: skip
    trial = [b for b in report["benchmarks"] if b["arm"] in SALINE_ARMS]
    return {
        "arm": PUBLISHED_ARM,
        "enrolled": arm["enrolled"],
        "time_point": {k: point[k] for k in keep},
        "trial": trial,
        "caveats": report["caveats"],
        "definitions": {
            k: report["definitions"][k] for k in ("responder", "attrition_bounds", "composite")
        },
        "report_day": report["generated_on"],
    }


def publish_snapshot(
    *, clinic: Any, code: str, user: Any, ctx: AuditContext, today: date
) -> PublishedSnapshot:
    """Publish the fibrin arm's summary at ``code`` as a dated snapshot.

    Refused (``PublishError``) unless at least ``MIN_DUE_TO_PUBLISH`` patients are due there.
    """
    report = build_report(Filters(clinic_id=clinic.pk, arm=PUBLISHED_ARM), today)
    summary = snapshot_summary(report, code)
    due = summary["time_point"]["due"]
    if due < MIN_DUE_TO_PUBLISH:
        raise PublishError(
            f"code: only {due} patients are due at {summary['time_point']['label']}; "
            f"publishing needs at least {MIN_DUE_TO_PUBLISH}."
        )
    with transaction.atomic():
        snapshot = PublishedSnapshot.objects.create(
            clinic=clinic,
            arm=PUBLISHED_ARM,
            code=code,
            months=summary["time_point"]["months"],
            report_day=today,
            due=due,
            benchmark_version=report["benchmark_version"],
            data=summary,
            published_by=user,
        )
        record(
            ANALYTICS_SNAPSHOT_PUBLISH,
            ctx=ctx,
            actor=user,
            clinic=clinic,
            obj=snapshot,
            details={"code": code, "due": due, "snapshot_id": snapshot.pk},
        )
        # Cached public pages (the evidence article) must show the new snapshot.
        transaction.on_commit(bump_generation)
    return snapshot
