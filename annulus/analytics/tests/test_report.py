"""The report's numbers on small fixed cohorts, checked against hand calculations."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from annulus.analytics.queries import Filters
from annulus.analytics.report import build_report
from annulus.analytics.tests.cohort import enrol
from annulus.clinical.models import AdverseEvent, FibrinProcedure
from annulus.outcomes import follow_up_summary
from annulus.testing import make_staff

TODAY = date(2026, 6, 1)
TREATED = TODAY - timedelta(days=400)  # 6- and 12-month windows closed, 2-year window not


def _point(arm: dict[str, Any], code: str) -> dict[str, Any]:
    return next(p for p in arm["time_points"] if p["code"] == code)


@pytest.fixture
def cohort(clinic: Any) -> dict[str, Any]:
    """Fibrin: 12 treated, baseline ODI 50 for all. At 6 months 10 answered: six at ODI 30
    (40 % better), one at exactly 35 (30 %: a responder), three at 45; two missed.
    One had a repeat fibrin procedure on day 100. Conservative care: 5 patients, all answered."""
    fibrin = []
    six_months = [30] * 6 + [35] + [45] * 3
    for i in range(12):
        scores: dict[str, dict[str, float]] = {"baseline": {"odi": 50, "nrs-back": 8, "rmdq": 16}}
        if i < 10:
            scores["month-6"] = {"odi": six_months[i], "nrs-back": 4 if i < 7 else 7,
                                 "rmdq": 8 if i < 7 else 15}  # fmt: skip
        fibrin.append(enrol(clinic, "fibrin", TREATED, TODAY, scores, sex="female",
                            date_of_birth=date(1980, 1, 1), veteran=i < 3))  # fmt: skip
    operator = make_staff(clinic)
    # bulk_create: no signal, so the follow-up keeps its anchor (the first procedure).
    FibrinProcedure.objects.bulk_create([FibrinProcedure(
        patient=fibrin[0].patient, performed_on=TREATED + timedelta(days=100), levels=["L4-L5"],
        product="test", lot_number="1", operator=operator, sedation="local",
    )])  # fmt: skip
    AdverseEvent.objects.create(patient=fibrin[1].patient, onset_on=TREATED + timedelta(days=2),
                                description="x", related=True, serious=True)  # fmt: skip
    # Written directly (not through the clinical actions): rebuild the report's summaries.
    follow_up_summary.refresh_patients([fibrin[0].patient_id, fibrin[1].patient_id])
    for _ in range(5):
        enrol(clinic, "conservative_care", TREATED, TODAY,
              {"baseline": {"odi": 40}, "month-6": {"odi": 20}})  # fmt: skip
    enrol(clinic, "fusion", TREATED, TODAY, {"baseline": {"odi": 40}})
    return {"fibrin": fibrin}


def test_it_counts_due_answered_and_responders_with_a_wilson_interval(
    cohort: dict[str, Any], clinic: Any
) -> None:
    report = build_report(Filters(clinic_id=clinic.pk), TODAY)
    fibrin = report["arms"][0]
    assert fibrin["arm"] == "fibrin_injection" and fibrin["enrolled"] == 12
    point = _point(fibrin, "month-6")
    assert (point["due"], point["answered"], point["responders"]) == (12, 10, 7)
    assert point["responder_rate"] == pytest.approx(0.7)
    assert (point["ci_low"], point["ci_high"]) == pytest.approx((0.3968, 0.8922), abs=1e-4)
    assert point["worst_case_rate"] == pytest.approx(7 / 12)
    assert point["best_case_rate"] == pytest.approx((7 + 12 - 10) / 12)
    assert point["completion"] == pytest.approx(10 / 12)


def test_it_gives_the_mean_change_and_the_composite(cohort: dict[str, Any], clinic: Any) -> None:
    fibrin = build_report(Filters(clinic_id=clinic.pk), TODAY)["arms"][0]
    point = _point(fibrin, "month-6")
    change = point["mean_change"]["odi"]
    assert change["n"] == 10
    assert change["mean"] == pytest.approx((6 * -20 + -15 + 3 * -5) / 10)
    assert change["ci_low"] < change["mean"] < change["ci_high"]
    # Pain and RMDQ 30 % better for the first seven; patient 0 had a repeat procedure by then
    # and patient 1 a serious adverse event: 5 of 10 succeed.
    assert (point["composite"]["count"], point["composite"]["n"]) == (5, 10)


def test_it_says_too_few_below_ten_answered(cohort: dict[str, Any], clinic: Any) -> None:
    report = build_report(Filters(clinic_id=clinic.pk, arm="conservative_care"), TODAY)
    [arm] = report["arms"]
    point = _point(arm, "month-6")
    assert (point["due"], point["answered"], point["responders"]) == (5, 5, 5)
    assert point["responder_rate"] is None and point["ci_low"] is None
    assert point["worst_case_rate"] is None and point["best_case_rate"] is None
    assert point["mean_change"]["odi"]["mean"] is None


def test_it_estimates_survival_free_of_a_secondary_procedure(
    cohort: dict[str, Any], clinic: Any
) -> None:
    fibrin = build_report(Filters(clinic_id=clinic.pk), TODAY)["arms"][0]
    survival = {p["months"]: p for p in fibrin["free_of_secondary_procedure"]}
    assert survival[6]["estimate"] == pytest.approx(11 / 12)
    assert survival[6]["at_risk"] == 11
    assert survival[6]["ci_low"] < 11 / 12 < survival[6]["ci_high"]
    assert survival[12]["estimate"] == pytest.approx(11 / 12)
    assert survival[24]["estimate"] is None and survival[24]["at_risk"] == 0
    serious = fibrin["adverse_events"]["serious"]
    assert (serious["count"], serious["n"]) == (1, 12)


def test_it_puts_every_arm_in_the_report_and_maps_fusion_to_surgery(
    cohort: dict[str, Any], clinic: Any
) -> None:
    report = build_report(Filters(clinic_id=clinic.pk), TODAY)
    enrolled = {a["arm"]: a["enrolled"] for a in report["arms"]}
    assert enrolled == {"fibrin_injection": 12, "conservative_care": 5, "surgery_referral": 1,
                        "other": 0}  # fmt: skip
    baseline = report["arms"][0]["baseline"]
    assert baseline["odi"]["mean"] == 50 and baseline["odi"]["n"] == 12
    assert baseline["veterans"] == {"count": 3, "known": 12}


def test_it_filters_by_treatment_date(cohort: dict[str, Any], clinic: Any) -> None:
    later = Filters(clinic_id=clinic.pk, treated_from=TREATED + timedelta(days=1))
    assert all(a["enrolled"] == 0 for a in build_report(later, TODAY)["arms"])


def test_the_command_prints_the_json_contract(cohort: dict[str, Any], clinic: Any) -> None:
    out = StringIO()
    call_command("outcomes_report", "--format", "json", "--clinic", clinic.slug, "--on",
                 TODAY.isoformat(), stdout=out)  # fmt: skip
    data = json.loads(out.getvalue())
    arm = data["arms"][0]
    assert {"arm", "enrolled", "time_points", "free_of_secondary_procedure"} <= set(arm)
    assert {"months", "due", "answered", "responders", "responder_rate", "ci_low", "ci_high",
            "worst_case_rate", "best_case_rate"} <= set(arm["time_points"][0])  # fmt: skip
    assert {"months", "estimate", "ci_low", "ci_high", "at_risk"} <= set(
        arm["free_of_secondary_procedure"][0]
    )
    bench = next(b for b in data["benchmarks"] if b["id"] == "nct01011816-fibrin")
    assert (bench["measure"], bench["months"], bench["value"], bench["n"]) == (
        "composite_success", 6, 0.335, 164)  # fmt: skip
    assert bench["source"]


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--arm", "saline"], "--arm"),
        (["--treated-from", "2026-13-01"], "--treated-from"),
        (["--format", "xml"], "--format"),
        (["--format", "pdf"], "--output"),
    ],
)
def test_the_command_names_a_bad_option_and_exits_2(db: Any, args: list[str], option: str) -> None:
    with pytest.raises(CommandError, match=option) as raised:
        call_command("outcomes_report", *args)
    assert raised.value.returncode == 2


def test_the_command_writes_text_csv_and_pdf(
    cohort: dict[str, Any], clinic: Any, tmp_path: Any
) -> None:
    out = StringIO()
    call_command("outcomes_report", "--on", TODAY.isoformat(), stdout=out)
    assert "70.0% (7/10; 95% CI 39.7%–89.2%)" in out.getvalue()
    assert "too few to say" in out.getvalue()
    call_command("outcomes_report", "--format", "csv", "-o", str(tmp_path / "r.csv"))
    lines = (tmp_path / "r.csv").read_text().splitlines()
    assert lines[0].startswith("arm,enrolled,code,months,due")
    call_command("outcomes_report", "--format", "pdf", "-o", str(tmp_path / "r.pdf"))
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")


def test_it_counts_age_at_entry_in_whole_years_around_the_birthday(clinic: Any) -> None:
    # Entry on 2025-04-23. Born 1980-04-23: 45 that day. Born 1980-04-24: still 44.
    # Born 1980-02-29 (entry on 2025-02-28): 44, the birthday not come yet. No birth date: not
    # counted. Mean (45 + 44 + 44) / 3.
    treated = date(2025, 4, 23)
    enrol(clinic, "conservative_care", treated, TODAY, {}, date_of_birth=date(1980, 4, 23))
    enrol(clinic, "conservative_care", treated, TODAY, {}, date_of_birth=date(1980, 4, 24))
    enrol(clinic, "conservative_care", date(2025, 2, 28), TODAY, {},
          date_of_birth=date(1980, 2, 29))  # fmt: skip
    enrol(clinic, "conservative_care", treated, TODAY, {})
    arm = build_report(Filters(clinic_id=clinic.pk), TODAY)["arms"][1]
    assert arm["arm"] == "conservative_care" and arm["enrolled"] == 4
    age = arm["baseline"]["age"]
    assert age["n"] == 3 and age["mean"] == pytest.approx(133 / 3)
    assert arm["first_treated"] == "2025-02-28" and arm["last_treated"] == "2025-04-23"
