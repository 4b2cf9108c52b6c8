"""The report as text, CSV, HTML context and PDF. Every rate is printed with its n and interval,
and "too few to say" where there is no rate."""

from __future__ import annotations

import csv
import hashlib
import importlib.metadata
import io
import json
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.core.cache import caches
from django.template.loader import render_to_string

__all__ = ["chart_context", "csv_text", "pdf", "text", "today_for"]


def today_for(clinic: Any) -> date:
    now = datetime.now(UTC)
    return now.astimezone(clinic.zone).date() if clinic is not None else now.date()


def pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def rate_text(rate: float | None, low: float | None, high: float | None, count: int, n: int) -> str:
    if rate is None:
        return f"{count}/{n}, too few to say" if n else "none yet"
    return f"{pct(rate)} ({count}/{n}; 95% CI {pct(low)}–{pct(high)})"


def _mean(found: dict[str, Any]) -> str:
    if found.get("mean") is None:
        return f"n={found.get('n', 0)}, too few" if found.get("n") else "—"
    text = f"{found['mean']:+.1f}"
    if found.get("ci_low") is not None:
        text += f" ({found['ci_low']:+.1f} to {found['ci_high']:+.1f})"
    return text + f" n={found['n']}"


def _baseline_mean(found: dict[str, Any]) -> str:
    if found.get("mean") is None:
        return "—"
    sd = "" if found.get("sd") is None else f" (SD {found['sd']:.1f})"
    return f"{found['mean']:.1f}{sd}, n={found['n']}"


def text(report: dict[str, Any]) -> str:
    out = [f"Outcomes report, {report['generated_on']}"]
    filters = ", ".join(f"{k}={v}" for k, v in report["filters"].items() if v)
    out.append(f"Filters: {filters or 'none'}")
    for arm in report["arms"]:
        b = arm["baseline"]
        out += [
            "",
            f"== {arm['label']} ({arm['arm']}): {arm['enrolled']} enrolled ==",
            f"Baseline: age {_baseline_mean(b['age'])}; female {b['sex']['female']}, male "
            f"{b['sex']['male']}; veterans {b['veterans']['count']} of {b['veterans']['known']} "
            f"asked; prior spine surgery {b['prior_spine_surgery']}; compensation/litigation "
            "not recorded",
            f"  ODI {_baseline_mean(b['odi'])}; back NRS {_baseline_mean(b['nrs_back'])}; "
            f"RMDQ {_baseline_mean(b['rmdq'])}",
            f"{'Time point':<12}{'due':>6}{'answ':>6}  {'completion':<14}"
            f"{'ODI responders':<36}{'worst–best':<16}ODI change",
        ]
        for p in arm["time_points"]:
            bounds = (
                "—"
                if p["worst_case_rate"] is None
                else f"{pct(p['worst_case_rate'])}–{pct(p['best_case_rate'])}"
            )
            out.append(
                f"{p['label']:<12}{p['due']:>6}{p['answered']:>6}  {pct(p['completion']):<14}"
                f"{rate_text(p['responder_rate'], p['ci_low'], p['ci_high'], p['responders'], p['evaluable']):<36}"  # noqa: E501
                f"{bounds:<16}{_mean(p['mean_change']['odi'])}"
            )
        survival = "; ".join(
            f"{s['months']} mo {pct(s['estimate'])} [{pct(s['ci_low'])}–{pct(s['ci_high'])}]"
            f" at risk {s['at_risk']}"
            for s in arm["free_of_secondary_procedure"]
        )
        out.append(f"Free of secondary procedure: {survival}")
        events = "; ".join(
            f"{kind} {rate_text(r['rate'], r['ci_low'], r['ci_high'], r['count'], r['n'])}"
            for kind, r in arm["adverse_events"].items()
        )
        out.append(f"Adverse events (patients): {events}")
    out += ["", f"Benchmarks (v{report['benchmark_version']}):"]
    for bench in report["benchmarks"]:
        value = pct(bench["value"]) if bench["unit"] == "fraction" else f"{bench['value']:g}"
        n = bench["n"] if bench["n"] is not None else bench["n_note"]
        out.append(f"  {bench['group']}: {bench['measure']} at {bench['months']} mo = {value}"
                   f" (n={n}) — {bench['source']}")  # fmt: skip
    out += ["", "Caveats:"] + [f"  - {text}" for text in report["caveats"].values()]
    out += ["", "Definitions:"] + [f"  {k}: {v}" for k, v in report["definitions"].items()]
    return "\n".join(out) + "\n"


CSV_COLUMNS = (
    "arm", "enrolled", "code", "months", "due", "answered", "completion", "evaluable",
    "responders", "responder_rate", "ci_low", "ci_high", "worst_case_rate", "best_case_rate",
    "composite_success", "composite_n", "composite_rate", "composite_ci_low", "composite_ci_high",
    "odi_change_mean", "odi_change_ci_low", "odi_change_ci_high", "odi_change_n",
    "nrs_back_change_mean", "nrs_back_change_ci_low", "nrs_back_change_ci_high",
    "nrs_back_change_n", "rmdq_change_mean", "rmdq_change_ci_low", "rmdq_change_ci_high",
    "rmdq_change_n", "free_of_secondary_procedure", "survival_ci_low", "survival_ci_high",
    "at_risk",
)  # fmt: skip


def csv_text(report: dict[str, Any]) -> str:
    """One row per arm and time point; empty cells where there is no rate."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for arm in report["arms"]:
        survival = {s["months"]: s for s in arm["free_of_secondary_procedure"]}
        for p in arm["time_points"]:
            row: dict[str, Any] = {k: p.get(k) for k in CSV_COLUMNS if k in p}
            row.update(arm=arm["arm"], enrolled=arm["enrolled"])
            composite = p["composite"] or {}
            row.update(
                composite_success=composite.get("count"),
                composite_n=composite.get("n"),
                composite_rate=composite.get("rate"),
                composite_ci_low=composite.get("ci_low"),
                composite_ci_high=composite.get("ci_high"),
            )
            for name, found in p["mean_change"].items():
                row.update({f"{name}_change_{k}": found[k] for k in ("mean", "ci_low", "ci_high",
                                                                      "n")})  # fmt: skip
            s = survival.get(p["months"])
            if s is not None:
                row.update(free_of_secondary_procedure=s["estimate"], survival_ci_low=s["ci_low"],
                           survival_ci_high=s["ci_high"], at_risk=s["at_risk"])  # fmt: skip
            writer.writerow(row)
    return out.getvalue()


def chart_context(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Per arm: the arm's data and its two charts (SVG data URIs with alt text)."""
    from annulus.analytics import charts  # see _chart_uris

    benchmarks = json.dumps(report["benchmarks"], sort_keys=True, default=str)
    found = []
    for arm in report["arms"]:
        responders, survival = _chart_uris(json.dumps(arm, sort_keys=True, default=str), benchmarks)
        found.append(
            {
                "arm": arm,
                "responders_src": responders,
                "responders_alt": charts.describe_responders(arm),
                "survival_src": survival,
                "survival_alt": charts.describe_survival(arm),
            }
        )
    return found


@lru_cache(maxsize=32)
def _chart_uris(arm_json: str, benchmarks_json: str) -> tuple[str, str]:
    """An arm's two charts, drawn once per distinct set of numbers.

    Drawing eight charts takes matplotlib seconds, while the numbers behind them change only
    when patients answer; the charts are pure functions of the numbers (as JSON) and of the
    drawing code, so those are the key: in this process (lru_cache) and, for every other web
    worker and the next start, in the shared "charts" cache. Charts pull in matplotlib, imported
    only when a drawing is needed, so the text, CSV and JSON forms of the report (and the
    command's start-up) do without it.
    """
    key = (
        "report-charts:"
        + hashlib.sha256(
            f"{_drawing_version()}\n{arm_json}\n{benchmarks_json}".encode()
        ).hexdigest()
    )
    shared = caches["charts"]
    found = shared.get(key)
    if isinstance(found, tuple | list) and len(found) == 2:
        return found[0], found[1]
    from annulus.analytics import charts

    arm, benchmarks = json.loads(arm_json), json.loads(benchmarks_json)
    drawn = (
        charts.data_uri(charts.responders_svg(arm, benchmarks)),
        charts.data_uri(charts.survival_svg(arm)),
    )
    shared.set(key, drawn)
    return drawn


@lru_cache(maxsize=1)
def _drawing_version() -> str:
    """What the drawings depend on besides the numbers: the chart code and matplotlib's
    version, so a deploy that changes either draws afresh instead of serving old pictures."""
    here = Path(__file__).parent
    code = b"".join((here / name).read_bytes() for name in ("charts.py", "../outcomes/charts.py"))
    return hashlib.sha256(code).hexdigest()[:16] + "/" + importlib.metadata.version("matplotlib")


def pdf(report: dict[str, Any], *, clinic: Any = None) -> bytes:
    import weasyprint

    html = render_to_string(
        "analytics/report_pdf.html",
        {"report": report, "arms": chart_context(report), "clinic": clinic},
    )
    fetcher = weasyprint.urls.URLFetcher(allowed_protocols={"data"})
    return weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
