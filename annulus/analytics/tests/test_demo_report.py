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
