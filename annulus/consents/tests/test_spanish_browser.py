"""A Spanish-speaking patient on a phone (390×844, Debian's Chromium): their intake link, a
post-procedure check-in, and the consent they sign in Spanish, whose stored PDF is Spanish. Each
page is `lang="es"`, has no axe-core violation, fits the screen's width and loads nothing from
another origin (issue #18)."""

from __future__ import annotations

import hashlib
import os
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from annulus.accounts import demo
from annulus.accounts.models import User
from annulus.audit.context import AuditContext
from annulus.consents.actions import EstimateItem, open_for_signing, prepare_consent
from annulus.consents.testing import pdf_language
from annulus.consents.texts import load_text
from annulus.patients.actions import issue_intake_link
from annulus.patients.models import Patient, Stage
from annulus.safety import actions as safety
from annulus.safety.models import CheckIn
from annulus.website.tests.browser import RequestLog, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CTX = AuditContext.system("test")
# Screenshots to look at (set ANNULUS_SPANISH_SHOTS to keep them elsewhere).
SHOTS = Path(os.environ.get("ANNULUS_SPANISH_SHOTS", "var/screenshots"))


def check(page, name: str, problems: dict[str, list[str]]) -> None:
    assert page.locator("html").get_attribute("lang") == "es", name
    found = axe_violations(page)
    if found:
        problems[name] = found
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > 390:
        problems[name] = [*problems.get(name, []), f"page is {width}px wide on a 390px screen"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"es-phone-{name}.png"), full_page=True)


def test_a_spanish_patient_uses_intake_check_in_and_signs_a_consent_on_a_phone(
    phone_page, live_server
):
    clinic = demo.seed_clinic()
    demo.seed_staff(clinic)
    clinician = User.objects.get(email="clinician@demo.annulus.test")
    patient = Patient.objects.create(
        clinic=clinic,
        first_name="Rosa",
        last_name="Prueba",
        date_of_birth=date(1975, 8, 9),
        stage=Stage.DECISION,
        clinician=clinician,
        language="es",
    )
    page = phone_page
    requests = RequestLog(page, live_server.url)
    problems: dict[str, list[str]] = {}

    # The intake link.
    _, token = issue_intake_link(patient, actor=clinician, ctx=CTX)
    page.goto(f"/es/intake/{token}/")
    assert page.url.endswith("/es/intake/")
    check(page, "intake", problems)

    # A post-procedure check-in.
    check_in = CheckIn.objects.create(
        patient=patient,
        procedure_kind="fibrin",
        procedure_ref="FibrinProcedure:0",
        procedure_on=datetime.now(UTC).date(),
        kind="72h",
        opens_at=datetime.now(UTC),
    )
    page.goto(f"/es/check-in/{safety.issue_check_in_link(check_in, ctx=CTX)}/")
    main = page.locator("main").inner_text()
    assert "¿ha tenido fiebre, escalofríos o temblores?" in main
    assert "(obligatorio)" in main and "(required)" not in main
    assert re.search(r"procedimiento del \d+ de \w+\.", main)  # "del 3 de diciembre."
    check(page, "check-in", problems)
    for question in ("fever", "needle_site", "leg_weakness", "bladder_bowel", "back_pain_worse"):
        page.locator(
            f"input[name='{question}'][value='{'yes' if question == 'fever' else 'no'}']"
        ).check()
    page.get_by_role("button", name="Enviar mis respuestas").click()
    assert re.search(r"el \d+ de \w+ de \d{4}\.", page.locator("main").inner_text())
    check(page, "check-in-done", problems)
    check_in.refresh_from_db()
    assert check_in.language == "es" and check_in.answers["fever"] is True

    # The consent, prepared by staff in the patient's language and signed on the phone.
    consent = prepare_consent(
        patient,
        kind="fibrin-procedure",
        estimate=[EstimateItem("Procedure fee", Decimal("3200")), EstimateItem("Sealant", 850)],
        user=clinician,
        ctx=CTX,
    )
    assert consent.text_language == "es"
    token, _ = open_for_signing(consent, channel="link", user=clinician, ctx=CTX)
    page.goto(f"/es/consent/{token}/")
    assert page.url.endswith("/es/consent/")  # the token left the address bar
    assert "sellador de fibrina" in page.locator("h1").inner_text()
    main = page.locator("main").inner_text()
    assert "fracasó frente a la solución salina" in main and "4050.00" in main
    check(page, "consent", problems)
    page.get_by_role("button", name="Firmar el consentimiento").click()
    assert "Todavía no está firmado." in page.locator("main").inner_text()
    check(page, "consent-errors", problems)
    for statement in load_text("fibrin-procedure", language="es").statements:
        page.get_by_label(statement.text).check()
    page.get_by_label("Escriba su nombre completo para firmar").fill("Rosa Prueba")
    page.get_by_role("button", name="Firmar el consentimiento").click()
    assert page.locator("h1").inner_text() == "Gracias, su consentimiento está firmado"
    check(page, "consent-done", problems)

    consent.refresh_from_db()
    assert consent.signed_at is not None and consent.text_language == "es"
    data = consent.pdf.read()
    assert hashlib.sha256(data).hexdigest() == consent.pdf_sha256
    assert pdf_language(data) == "es"
    (SHOTS / "es-consent.pdf").write_bytes(data)

    assert not problems, problems
    assert not requests.foreign(), requests.foreign()
