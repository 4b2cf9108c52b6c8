"""No public page references another origin: no script, style, font, image, frame or form.

Links the visitor clicks are navigation, not references; the only ones allowed to leave the site
are the clinic's own social links from its record (plus mailto: and tel:).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings

from annulus.screening.red_flags import FLAG_IDS
from annulus.website.content import library

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"
RESOURCE_ATTRS = {
    "src",
    "srcset",
    "action",
    "formaction",
    "poster",
    "data",
    "background",
    "xlink:href",
    "manifest",
    "ping",
    "cite",
}
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)|@import\s+['"]([^'"]+)""", re.I)


class References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.resources: list[str] = []
        self.links: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        for key, value in a.items():
            if key in RESOURCE_ATTRS:
                self.resources += [part.split()[0] for part in value.split(",") if part.strip()]
            if key == "style":
                self.resources += [m[0] or m[1] for m in CSS_URL.findall(value)]
        if tag == "link" and "href" in a:
            # canonical and og:url name this page; stylesheets and icons are loaded.
            (self.links if a.get("rel") == "canonical" else self.resources).append(a["href"])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag == "meta" and a.get("http-equiv", "").lower() == "refresh":
            self.resources.append(a.get("content", "").split("url=")[-1])
        self._in_style = tag == "style"

    def handle_data(self, data):
        if self._in_style:
            self.resources += [m[0] or m[1] for m in CSS_URL.findall(data)]

    def handle_endtag(self, tag):
        self._in_style = False


def other_origin(url: str) -> bool:
    absolute = urljoin(ORIGIN + "/", url.strip())
    parts = urlsplit(absolute)
    if parts.scheme in ("data", "mailto", "tel"):
        return False
    return f"{parts.scheme}://{parts.netloc}" != ORIGIN


def public_pages(client) -> dict[str, str]:
    """Every public page a visitor can see, including form error states and every result."""
    pages = {
        path: client.get(path)
        for path in (
            "/",
            "/learn/",
            "/guide/",
            "/guide/thanks/",
            "/screen/",
            "/learn/nope/",
            "/disclaimer/",
            *(a.path for a in library().articles.values()),
        )
    }
    pages["guide errors"] = client.post("/guide/", {"email": "not-an-email"})
    pages["screen errors"] = client.post("/screen/", {})
    step_two = client.post("/screen/", dict.fromkeys(FLAG_IDS, "no"))
    pages["screen step two"] = step_two
    passed = re.search(r'name="passed" value="([^"]+)"', step_two.content.decode()).group(1)
    pages["step two errors"] = client.post("/screen/about-your-pain/", {"passed": passed})
    for name, flag in (("emergency", "saddle_anesthesia"), ("urgent", "fever")):
        done = client.post("/screen/", {**dict.fromkeys(FLAG_IDS, "no"), flag: "yes"})
        pages[f"result {name}"] = client.get(done["Location"])
    fit = {
        "age_band": "18_to_75",
        "duration": "over_12_months",
        "back_pain": "7",
        "pain_pattern": "mostly_back",
        "below_knee": "no",
        "care": "three_months_with_exercise",
        "prior_surgery": "none",
        "carry_over": "on",
        "passed": passed,
    }
    for name, change in (
        ("evaluation", {}),
        ("unlikely", {"pain_pattern": "mostly_leg"}),
        ("conservative", {"care": "none"}),
    ):
        done = client.post("/screen/about-your-pain/", {**fit, **change})
        pages[f"result {name}"] = client.get(done["Location"])
    pages["unsubscribe unknown"] = client.get("/guide/unsubscribe/" + "x" * 43 + "/")
    return {name: response.content.decode() for name, response in pages.items()}


def test_it_loads_nothing_from_another_origin_on_any_public_page(client, site_clinic):
    allowed_links = {link["url"] for link in site_clinic.social_links}
    pages = public_pages(client)
    assert len(pages) >= 25
    for name, html in pages.items():
        refs = References()
        refs.feed(html)
        assert refs.resources, f"{name}: found no resources at all; is the parser working?"
        bad = [url for url in refs.resources if other_origin(url)]
        assert not bad, f"{name} loads from another origin: {bad}"
        stray = [url for url in refs.links if other_origin(url) and url not in allowed_links]
        assert not stray, f"{name} links to another origin: {stray}"


def test_it_keeps_the_stylesheet_on_this_origin():
    css = (Path(settings.BASE_DIR) / "static/css/annulus.css").read_text()
    urls = [m[0] or m[1] for m in CSS_URL.findall(css)]
    assert not [u for u in urls if other_origin(u)]
    assert "@font-face" not in css  # system fonts only: nothing to download


def test_the_checker_catches_a_third_party_script():
    refs = References()
    refs.feed(
        '<script src="https://cdn.example.com/x.js"></script><img srcset="/a.png 1x, '
        '//tracker.example.net/p.gif 2x"><div style="background:url(https://x.test/i.png)">'
    )
    assert [u for u in refs.resources if other_origin(u)] == [
        "https://cdn.example.com/x.js",
        "//tracker.example.net/p.gif",
        "https://x.test/i.png",
    ]
