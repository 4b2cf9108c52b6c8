"""The public-site benchmark's Markdown report (bench/results/public.md), from its JSON result."""

from __future__ import annotations

import json
from typing import Any


def markdown(r: dict[str, Any]) -> str:
    t = r["throughput"]
    lines = [
        "# Public site benchmark",
        "",
        f"Recorded {r['when']} by `bench/public.py` on {r['machine']['cpus']} CPUs "
        f"(Python {r['machine']['python']}). Server: {r['server']}. Load: {r['load']}. "
        "The client processes share the machine's CPUs with the server, and other work on the "
        "machine adds noise between rounds: read the median.",
        "",
        "## Home page throughput vs a bare Django view (goal: ratio >= 0.8)",
        "",
        "| round | bare view req/s | home page req/s | ratio | errors |",
        "|---|---|---|---|---|",
        *(
            f"| {i + 1} | {x['bare_rps']} | {x['home_rps']} | {x['ratio']} | {x['errors']} |"
            for i, x in enumerate(t["rounds"])
        ),
        "",
        f"Median ratio: **{t['median_ratio_home_to_bare']}** ({'met' if t['met'] else 'NOT met'}).",
        "",
        "In-process (Django's test client, no sockets, same settings and database): bare view "
        f"{r['in_process']['bare_us_per_request']} µs, home page "
        f"{r['in_process']['home_us_per_request']} µs per request, a throughput ratio of "
        f"**{r['in_process']['ratio_home_to_bare_throughput']}**.",
        "",
        "## Transfer size per page, first visit (goal: <= 100 KB, no third-party requests)",
        "",
        "| page | requests | bytes | third-party requests |",
        "|---|---|---|---|",
        *(
            f"| {w['page']} | {w['requests']} | {w['bytes']:,} | {len(w['third_party_requests'])} |"
            for w in r["page_weights"]["pages"]
        ),
        "",
        f"Largest page: {r['page_weights']['largest']:,} bytes "
        f"({'met' if r['page_weights']['met'] else 'NOT met'}).",
        "",
        "## Lighthouse (goal: >= 95 in each category)",
        "",
    ]
    scores = r["lighthouse"]
    if "skipped" in scores:
        lines.append(f"Not run: {scores['skipped']}.")
    else:
        lines += ["| page | scores |", "|---|---|"]
        lines += [f"| {page} | {json.dumps(s)} |" for page, s in scores.items()]
    return "\n".join(lines) + "\n"
