"""The Spanish articles, disclaimer page and free guide on a phone, in Debian's Chromium (#18).

Each page is `lang="es"`, has no axe-core violation, nothing wider than the screen, none of the
English page's headings, and nothing from another origin; the guide form sends a Spanish guide.
"""

from __future__ import annotations

import re

import pytest

from annulus.leads.models import Lead
from annulus.website.tests.browser import RequestLog, axe_violations, shoot
from annulus.website.tests.fixtures import run_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/es/learn/annular-tears/",
    "/es/learn/faq/",
    "/es/learn/fibrin-vs-fusion/",
    "/es/learn/second-opinion/",
    "/es/learn/veterans/",
    "/es/disclaimer/",
    "/es/guide/",
]
# Headings and buttons of the English versions: none may be left on a Spanish page.
ENGLISH = ["Sources", "Side by side", "Results vary", "Send me the guide", "First name"]


@pytest.fixture(autouse=True)
def _public_site(site_clinic, quick_forms, guide_dir):
    return site_clinic


def test_the_spanish_pages_read_in_spanish_on_a_phone(phone_page, live_server, mailoutbox):
    page = phone_page
    requests = RequestLog(page, live_server.url)
    problems: dict[str, object] = {}
    for path in PAGES:
        page.goto(path)
        name = path.strip("/").replace("/", "-")
        assert page.locator("html").get_attribute("lang") == "es", path
        main = page.locator("main").inner_text()
        left = [word for word in ENGLISH if word in main]
        width = page.evaluate("document.documentElement.scrollWidth")
        found = axe_violations(page)
        if left or width > 390 or found:
            problems[path] = {"english": left, "width": width, "axe": found}
        shoot(page, f"es-{name}")
    assert problems == {}

    # The guide form, in Spanish, to the end.
    page.goto("/es/guide/")
    page.get_by_label("Nombre").fill("Rosa")
    page.get_by_role("textbox", name=re.compile("^Correo electrónico")).fill("rosa@example.org")
    page.get_by_label("¿Cómo nos conoció?").select_option("veterans")
    page.get_by_label(re.compile("Envíenme la guía gratuita")).check()
    page.get_by_role("button", name="Envíenme la guía").click()
    assert page.locator("h1").inner_text() == "Su guía está en camino"
    run_worker()
    lead = Lead.objects.get()
    assert (lead.language, lead.consent_wording_version) == ("es", "guide-form-es-v1")
    (message,) = mailoutbox
    assert message.subject.startswith("Su guía gratuita de ")
    assert message.attachments[0][0].endswith("-guia-sobre-el-dolor-de-disco.pdf")
    assert requests.foreign() == []
