"""The MRI level grid on a laptop (1280 px) and a tablet in landscape: no clipped column."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from annulus.accounts import demo
from annulus.accounts.models import User
from annulus.patients.models import Patient
from annulus.testing import current_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path("var/screenshots")


@pytest.mark.parametrize(("width", "height", "fits"), [(1280, 800, True), (1024, 768, False)])
def test_the_mri_grid_fits_without_clipping_its_last_column(
    chromium, live_server, width, height, fits
):
    """At 1280 px the whole grid shows; on a tablet (1024 px) the grid's own region scrolls,
    the page does not, and the level column stays pinned."""
    clinic = demo.seed_clinic()
    demo.seed_staff(clinic)
    clinician = User.objects.get(email="clinician@demo.annulus.test")
    patient = Patient.objects.create(
        clinic=clinic, first_name="Grid", last_name="Layout", date_of_birth=date(1970, 1, 1)
    )
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": width, "height": height}
    )
    page = context.new_page()
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    try:
        page.goto("/staff/")
        page.get_by_label("Email").fill(clinician.email)
        page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Code").fill(current_totp(clinician))
        page.get_by_role("button", name="Verify").click()
        page.goto(f"/staff/patients/{patient.pk}/imaging/new/")
        icon = page.locator("link[rel=icon]").get_attribute("href")
        assert icon is not None and page.request.get(icon).status == 200
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"mri-grid-{width}x{height}.png"), full_page=True)
        region = page.get_by_role("region", name="Findings per disc level")
        sizes = region.evaluate("el => [el.scrollWidth, el.clientWidth]")
        page_width = page.evaluate("document.documentElement.scrollWidth")
        assert page_width <= width, f"the page scrolls sideways at {width} px: {page_width}"
        if fits:
            assert sizes[0] <= sizes[1], f"grid overflows its box at {width} px: {sizes}"
        else:
            level = page.locator("table.grid tbody th").first
            assert level.evaluate("el => getComputedStyle(el).position") == "sticky"
            region.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
            last = page.locator("table.grid tbody tr").first.locator("td").last
            assert last.is_visible()
            assert level.bounding_box()["x"] >= 0  # still in view after scrolling
        # Every select shows its longest option in full ("Not known", not "Not kn").
        clipped = page.evaluate(
            """() => [...document.querySelectorAll('table.grid select')].filter(s => {
                 const probe = document.createElement('span');
                 probe.style.font = getComputedStyle(s).font;
                 probe.style.position = 'absolute'; probe.style.visibility = 'hidden';
                 document.body.appendChild(probe);
                 const widest = Math.max(...[...s.options].map(o => {
                   probe.textContent = o.text; return probe.getBoundingClientRect().width; }));
                 probe.remove();
                 const cs = getComputedStyle(s);
                 const pad = parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight);
                 const room = s.clientWidth - pad;
                 return widest > room;
               }).map(s => s.name)"""
        )
        assert clipped == []
        assert missing == []  # no favicon 404 (or any other) on the way
    finally:
        context.close()
