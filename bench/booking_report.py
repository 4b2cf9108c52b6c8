"""The booking benchmark's Markdown report (bench/results/booking.md), from its JSON result."""

from __future__ import annotations

import json
from typing import Any


def markdown(r: dict[str, Any]) -> str:
    p = r["phases"]
    rows = [
        ("Slot search, saturating (no pause)", p["slots"]),
        ("Booking, saturating (no pause)", p["bookings"]),
        ("Slot search, half load", p["slots_paced"]),
        ("Booking, half load", p["bookings_paced"]),
    ]
    lines = [
        "# Booking benchmark",
        "",
        f"Recorded {r['when']} by `bench/booking.py` on {r['machine']['cpus']} CPUs "
        f"(Python {r['machine']['python']}; {r['machine']['platform']}).",
        "",
        f"- Server: {r['server']}.",
        f"- Load: {r['load']}. The client processes share the machine's CPUs with the server "
        "and PostgreSQL.",
        f"- Slot search: {r['slot_search']}.",
        f"- Booking: {r['booking']}.",
        "",
        "| phase | clients | offered/s | requests | ok | errors | throughput (ok/s) | p50 ms | "
        "p95 ms | p99 ms | max ms | goal p95 | met |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, x in rows:
        offered = x["offered_per_s"] if x["interval_per_client_s"] else "max"
        lines.append(
            f"| {name} | {x['clients']} | {offered} | {x['requests']} | {x['ok']} | "
            f"{x['errors']} | {x['throughput_per_s']} | {x['p50_ms']} | {x['p95_ms']} | "
            f"{x['p99_ms']} | {x['max_ms']} | < {x['goal_p95_ms']:g} | "
            f"{'yes' if x['met'] else 'NO'} |"
        )
    lines += [
        "",
        "Reading: with clients that never pause, latency is set by queueing, not by the work "
        "(Little's law: latency = clients / throughput, here "
        f"{p['slots']['clients']} / {p['slots']['throughput_per_s']} = "
        f"{1000 * p['slots']['clients'] / p['slots']['throughput_per_s']:.0f} ms for the slot "
        f"search and {1000 * p['bookings']['clients'] / p['bookings']['throughput_per_s']:.0f} ms "
        "for booking), so the saturating rows measure capacity on this machine. The half-load "
        "rows show latency when the same 50 clients offer half that capacity; the email worker "
        "is then still delivering the saturating phase's confirmations on the same CPUs.",
    ]
    lines += ["", "Status counts per phase:", ""]
    lines += [f"- {name}: `{json.dumps(x['statuses'])}`" for name, x in rows]
    return "\n".join(lines) + "\n"
