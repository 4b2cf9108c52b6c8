"""The demo clinic's report shows every arm, each with its charts."""

from __future__ import annotations

from typing import Any

import pytest

from annulus.accounts.models import public_clinic
from annulus.analytics.queries import ARMS, Filters
from annulus.analytics.render import chart_context, today_for
from annulus.analytics.report import build_report

pytestmark = pytest.mark.django_db


def test_the_demo_report_has_every_arm_with_charts(demo_seeded_once: None, settings: Any) -> None:
    clinic = public_clinic()
    report = build_report(Filters(clinic_id=clinic.pk), today_for(clinic))
    assert [a["arm"] for a in report["arms"]] == list(ARMS)
    assert all(a["enrolled"] > 0 for a in report["arms"])
    for item in chart_context(report):
        assert item["responders_src"].startswith("data:image/svg+xml;base64,")
        assert item["survival_src"].startswith("data:image/svg+xml;base64,")
        assert item["arm"]["label"] in item["responders_alt"]


def test_charts_drawn_once_are_shared_with_other_processes(
    demo_seeded_once: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new web worker (here: a cleared in-process cache) reuses the drawings from the shared
    cache; new numbers, or new drawing code, are drawn afresh."""
    from django.core.cache import caches

    from annulus.analytics import charts, render

    clinic = public_clinic()
    report = build_report(Filters(clinic_id=clinic.pk), today_for(clinic))
    caches["charts"].clear()
    render._chart_uris.cache_clear()
    first = chart_context(report)

    drawn: list[str] = []
    real = charts.responders_svg
    monkeypatch.setattr(charts, "responders_svg", lambda *a: drawn.append("r") or real(*a))
    render._chart_uris.cache_clear()  # as in a process that has drawn nothing yet
    assert chart_context(report) == first
    assert drawn == []

    report["arms"][0]["enrolled"] += 1  # other numbers: drawn, not served from the cache
    render._chart_uris.cache_clear()
    chart_context(report)
    assert drawn == ["r"]

    monkeypatch.setattr(render, "_drawing_version", lambda: "new drawing code")
    render._chart_uris.cache_clear()
    report["arms"][0]["enrolled"] -= 1
    chart_context(report)
    assert drawn == ["r"] * (1 + len(report["arms"]))  # every arm, under the new code
