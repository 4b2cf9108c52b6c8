from __future__ import annotations

import logging

import pytest

from annulus.accounts.models import Role
from annulus.testing import make_staff, sign_in
from annulus.workbench.errors import ForbiddenWithoutTraceback

pytestmark = pytest.mark.django_db


def _nav(page: str) -> str:
    return page[page.index('<nav aria-label="Workbench">') : page.index("</nav>")]


def test_the_navigation_shows_only_what_the_role_may_open(client, clinic):
    clinician_nav = _nav(
        sign_in(client, make_staff(clinic, Role.CLINICIAN)).get("/staff/").content.decode()
    )
    assert "/staff/alerts/" in clinician_nav and "/staff/patients/" in clinician_nav
    assert "/staff/leads/" not in clinician_nav and "/staff/clinic/" not in clinician_nav
    admin_nav = _nav(
        sign_in(client, make_staff(clinic, Role.ADMIN)).get("/staff/").content.decode()
    )
    assert "/staff/clinic/" in admin_nav and "/staff/leads/" in admin_nav
    assert "/staff/alerts/" not in admin_nav


def test_every_link_in_the_navigation_opens_for_that_role(client, clinic):
    for role in Role:
        sign_in(client, make_staff(clinic, role))
        nav = _nav(client.get("/staff/").content.decode())
        for href in [part.split('"')[0] for part in nav.split('href="')[1:]]:
            if href.startswith("/staff/"):
                assert client.get(href).status_code == 200, (role, href)


def test_a_refusal_in_the_staff_area_uses_the_staff_layout_and_logs_one_line(
    client, clinic, caplog
):
    sign_in(client, make_staff(clinic, Role.CLINICIAN))
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/staff/clinic/")
    assert response.status_code == 403
    page = response.content.decode()
    assert 'class="staff-header"' in page and "Not allowed" in page
    record = next(r for r in caplog.records if getattr(r, "status_code", None) == 403)
    assert ForbiddenWithoutTraceback().filter(record)
    line = logging.Formatter("%(levelname)s %(name)s %(message)s").format(record)
    assert line.count("\n") == 0 and "Traceback" not in line
    assert line.startswith("WARNING django.request Forbidden")
    console = [h for h in logging.getLogger().handlers if h.filters]
    assert any(isinstance(f, ForbiddenWithoutTraceback) for h in console for f in h.filters)
