"""Report charts, with the conventions of ``annulus.outcomes.charts``: matplotlib (Agg, no pyplot
state) to SVG, text kept as text, our palette, readable in greyscale (markers and line styles
differ, not only colours), and a text alternative for each chart.

- ``responders_svg``: responder rate per time point with its Wilson interval as a bar, the
  worst/best attrition bounds as open markers, and the phase III trial's fibrin and saline
  composite rates as horizontal bands at 6 months.
- ``survival_svg``: the Kaplan-Meier step curve with its 95 % band and numbers at risk.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from annulus.outcomes.charts import _STYLE, BRAND, INK, MUTED, data_uri, matplotlib_parts

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["data_uri", "describe_responders", "describe_survival", "responders_svg",
           "survival_svg"]  # fmt: skip

SALINE, FIBRIN_TRIAL = "#9a6700", "#6b7785"

# Fixed margins, the ones `tight_layout` found for these figures: their size, axis labels, ticks
# (0-100 %) and legend texts do not depend on the data, and measuring the text to lay them out
# again was two thirds of drawing a chart (the report's first request in a new process).
_RESPONDER_MARGINS = {"left": 0.105, "right": 0.646, "bottom": 0.205, "top": 0.946}
_SURVIVAL_MARGINS = {"left": 0.104, "right": 0.979, "bottom": 0.184, "top": 0.954}


def _svg(figure: Figure) -> str:
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def _pct(value: float | None) -> str:
    return "too few to say" if value is None else f"{100 * value:.0f} %"


def responders_svg(arm: dict[str, Any], benchmarks: list[dict[str, Any]]) -> str:
    points = arm["time_points"]
    rc_context, figure_class = matplotlib_parts()
    with rc_context(_STYLE):
        figure = figure_class(figsize=(6.4, 3.4), dpi=100)
        ax = figure.add_subplot()
        xs = list(range(len(points)))
        for bench, colour, style in (("nct01011816-saline", SALINE, "--"),
                                     ("nct01011816-fibrin", FIBRIN_TRIAL, ":")):  # fmt: skip
            found = next((b for b in benchmarks if b["id"] == bench), None)
            if found is not None:
                ax.axhline(100 * found["value"], color=colour, linestyle=style, linewidth=1.4,
                           label=f"{found['group']} composite, 6 mo")  # fmt: skip
        shown = [(x, p) for x, p in zip(xs, points, strict=True) if p["responder_rate"] is not None]
        if shown:
            rate_x = [x for x, _ in shown]
            rates = [100 * p["responder_rate"] for _, p in shown]
            low = [r - 100 * p["ci_low"] for r, (_, p) in zip(rates, shown, strict=True)]
            high = [100 * p["ci_high"] - r for r, (_, p) in zip(rates, shown, strict=True)]
            ax.errorbar(rate_x, rates, yerr=[low, high], fmt="o", color=BRAND, capsize=4,
                        markersize=6, linewidth=1.6, label="Responders (95 % CI)")  # fmt: skip
            ax.plot(rate_x, [100 * p["worst_case_rate"] for _, p in shown], linestyle="none",
                    marker="v", markerfacecolor="white", color=INK, label="Worst case")  # fmt: skip
            ax.plot(rate_x, [100 * p["best_case_rate"] for _, p in shown], linestyle="none",
                    marker="^", markerfacecolor="white", color=INK, label="Best case")  # fmt: skip
        for x, p in zip(xs, points, strict=True):
            if p["responder_rate"] is None:
                ax.annotate(f"n={p['evaluable']}\ntoo few", (x, 4), ha="center", fontsize=7,
                            color=MUTED)  # fmt: skip
        ax.set_xticks(xs, [p["label"] for p in points], rotation=30, ha="right")
        ax.set_ylim(0, 100)
        ax.set_ylabel("% of patients")
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="y", color="#dde3e8", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=7)
        figure.subplots_adjust(**_RESPONDER_MARGINS)
        return _svg(figure)


def describe_responders(arm: dict[str, Any]) -> str:
    parts = []
    for p in arm["time_points"]:
        if p["responder_rate"] is None:
            parts.append(f"{p['label']}: {p['responders']} of {p['evaluable']}, too few to say")
        else:
            parts.append(
                f"{p['label']}: {_pct(p['responder_rate'])} of {p['evaluable']} "
                f"(95 % CI {_pct(p['ci_low'])} to {_pct(p['ci_high'])}; worst case "
                f"{_pct(p['worst_case_rate'])}, best case {_pct(p['best_case_rate'])})"
            )
    return f"ODI responders, {arm['label']}: " + "; ".join(parts) + "."


def survival_svg(arm: dict[str, Any]) -> str:
    points = [p for p in arm["free_of_secondary_procedure"] if p["estimate"] is not None]
    rc_context, figure_class = matplotlib_parts()
    with rc_context(_STYLE):
        figure = figure_class(figsize=(6.4, 3.0), dpi=100)
        ax = figure.add_subplot()
        xs = [0.0] + [float(p["months"]) for p in points]
        ys = [100.0] + [100 * p["estimate"] for p in points]
        lows = [100.0] + [100 * p["ci_low"] for p in points]
        highs = [100.0] + [100 * p["ci_high"] for p in points]
        ax.fill_between(xs, lows, highs, step="post", color=BRAND, alpha=0.15, linewidth=0,
                        label="95 % CI")  # fmt: skip
        ax.step(xs, ys, where="post", color=BRAND, linewidth=2, marker="o", markersize=4,
                label="Free of secondary procedure")  # fmt: skip
        for p in arm["free_of_secondary_procedure"]:
            ax.annotate(f"{p['at_risk']}", (float(p["months"]), 2), ha="center", fontsize=7,
                        color=MUTED)  # fmt: skip
        ax.set_xlim(0, 62)
        ax.set_ylim(0, 102)
        ax.set_xlabel("Months after entry (numbers at risk along the bottom)")
        ax.set_ylabel("% of patients")
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="y", color="#dde3e8", linewidth=0.6)
        # Above the numbers at risk, which run along the bottom of the plot.
        ax.legend(loc="lower left", bbox_to_anchor=(0, 0.08), frameon=False, fontsize=7)
        figure.subplots_adjust(**_SURVIVAL_MARGINS)
        return _svg(figure)


def describe_survival(arm: dict[str, Any]) -> str:
    parts = []
    for p in arm["free_of_secondary_procedure"]:
        if p["estimate"] is None:
            parts.append(f"{p['months']} months: not known ({p['at_risk']} at risk)")
        else:
            parts.append(
                f"{p['months']} months: {_pct(p['estimate'])} (95 % CI {_pct(p['ci_low'])} to "
                f"{_pct(p['ci_high'])}, {p['at_risk']} at risk)"
            )
    return f"Free of fusion or a secondary procedure, {arm['label']}: " + "; ".join(parts) + "."
