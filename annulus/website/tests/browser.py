"""Helpers for the public-site browser tests: axe-core, request capture, screenshots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
SHOTS = Path("var/screenshots")
AXE_RULES = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    }
}


def axe_violations(page: Any) -> list[str]:
    """Run axe-core in the page; one line per violation and node."""
    # evaluate() runs through the DevTools protocol, so the site's CSP need not allow it.
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)
    found = page.evaluate(
        "options => axe.run(document, options).then(r => r.violations)", AXE_RULES
    )
    return [
        f"{v['id']} ({v['impact']}): {node['target']} {node.get('failureSummary', '')[:160]}"
        for v in found
        for node in v["nodes"]
    ]


def shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"public-{name}.png"), full_page=True)


class RequestLog:
    """Every URL the page asked for, to check that none left the site."""

    def __init__(self, page: Any, origin: str) -> None:
        self.origin = origin.rstrip("/")
        self.urls: list[str] = []
        page.on("request", lambda request: self.urls.append(request.url))

    def foreign(self) -> list[str]:
        return [u for u in self.urls if not (u + "/").startswith(self.origin + "/")]
