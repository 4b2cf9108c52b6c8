"""Trajectory charts, drawn with matplotlib (Agg, no pyplot state) as SVG for pages and PDFs.

One chart per measure: the patient's scores over months since treatment, the baseline as a dashed
line, the band of change smaller than the minimal important change (MCID, clinical-reference §4.9)
shaded around it, a dotted line at 50 % better for pain (the "strong" response), and missed time
points marked on the axis so a gap is visible rather than silently bridged.
"""

from __future__ import annotations

import base64
import io
from typing import TYPE_CHECKING, Any

from annulus.outcomes.results import Trajectory

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DAYS_PER_MONTH = 30.4375
BRAND, INK, MUTED, BAND = "#0b5d6b", "#1b2430", "#6b7785", "#0b5d6b"
_STYLE: dict[str, Any] = {
    "svg.fonttype": "none",  # text stays text: smaller, selectable, read by screen readers
    "svg.hashsalt": "annulus",  # stable ids, so the same data gives the same file
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.edgecolor": MUTED,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
}


def mcid_band(trajectory: Trajectory) -> tuple[float, float] | None:
    """The scores within the minimal important change of baseline (lower is better)."""
    rule, baseline = trajectory.measure.rule, trajectory.baseline
    if rule is None or baseline is None:
        return None
    # A responder improves by the points OR the percentage, so the easier one sets the line.
    better = min(float(rule.min_points), baseline * rule.min_percent / 100)
    return max(trajectory.measure.low, baseline - better), min(
        trajectory.measure.high, baseline + rule.min_points
    )


def matplotlib_parts() -> tuple[Any, type[Figure]]:
    """``rc_context`` and ``Figure``, imported on first use: matplotlib takes about half a
    second to import, and every command and process that loads the URLs or template tags would
    pay it at start-up."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    return rc_context, Figure


def trajectory_svg(trajectory: Trajectory, *, width: float = 6.4, height: float = 3.2) -> str:
    measure = trajectory.measure
    rc_context, figure_class = matplotlib_parts()
    with rc_context(_STYLE):
        figure = figure_class(figsize=(width, height), dpi=100)
        ax = figure.add_subplot()
        xs = [point.day / DAYS_PER_MONTH for point in trajectory.points]
        ys = [point.value for point in trajectory.points]
        band = mcid_band(trajectory)
        if band is not None and trajectory.baseline is not None:
            ax.axhspan(*band, color=BAND, alpha=0.13, linewidth=0,
                       label="Within the MCID of baseline")  # fmt: skip
            ax.axhline(trajectory.baseline, color=MUTED, linestyle="--", linewidth=1,
                       label="Baseline")  # fmt: skip
            strong = measure.rule.strong_percent if measure.rule else None
            if strong:
                ax.axhline(trajectory.baseline * (1 - strong / 100), color=MUTED, linestyle=":",
                           linewidth=1.2, label=f"{strong} % better")  # fmt: skip
        ax.axvline(0, color=INK, linewidth=0.8)
        ax.plot(xs, ys, color=BRAND, marker="o", linewidth=2, markersize=5, label="Score")
        for x, y in zip(xs, ys, strict=True):
            ax.annotate(f"{y:g}", (x, y), textcoords="offset points", xytext=(0, 6),
                        ha="center", fontsize=8, color=INK)  # fmt: skip
        if trajectory.missed_days:
            missed = [day / DAYS_PER_MONTH for day in trajectory.missed_days]
            ax.plot(missed, [measure.low] * len(missed), linestyle="none", marker="x",
                    markersize=7, color="#a4161a", clip_on=False, label="Missed")  # fmt: skip
        every = xs + [d / DAYS_PER_MONTH for d in trajectory.missed_days]
        ax.set_xlim(min([-1.5, *every]) - 0.5, max([3.0, *every]) + 1)
        span = measure.high - measure.low
        ax.set_ylim(measure.low - span * 0.02, measure.high + span * 0.08)
        ax.set_xlabel("Months after treatment (0 = treatment day)")
        ax.set_ylabel(f"{measure.axis} (lower is better)")
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(axis="y", color="#dde3e8", linewidth=0.6)
        ax.set_axisbelow(True)
        handles, labels = ax.get_legend_handles_labels()
        figure.legend(handles, labels, loc="lower center", ncol=len(labels), frameon=False,
                      fontsize=8, handlelength=1.6, columnspacing=1.2)  # fmt: skip
        figure.tight_layout(rect=(0, 0.08, 1, 1))
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def describe(trajectory: Trajectory) -> str:
    """A text alternative for the chart."""
    measure = trajectory.measure
    if not trajectory.points:
        return f"{measure.title}: no scores yet."
    parts = [f"{p.label} {p.value:g}" for p in trajectory.points]
    text = f"{measure.title} ({measure.axis}, lower is better): " + ", ".join(parts) + "."
    band = mcid_band(trajectory)
    if band is not None:
        text += f" Within the minimal important change of baseline: {band[0]:g} to {band[1]:g}."
    if trajectory.missed_days:
        text += f" {len(trajectory.missed_days)} time point(s) missed."
    return text
