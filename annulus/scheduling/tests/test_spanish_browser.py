"""Spanish on a phone, in Debian's Chromium (issue #18, done-when): the self-check with a red-flag
answer, a booking and a survey page, each page `lang="es"` with no axe-core violation and nothing
from another origin, and every email the patient gets in Spanish."""

from __future__ import annotations

import re

import pytest
from django.utils import dateformat, translation

from annulus.notifications.models import OutboundEmail
from annulus.outcomes import actions as outcomes
from annulus.outcomes.models import Invitation
from annulus.outcomes.tests.conftest import make_patient
from annulus.scheduling.tests.conftest import run_worker
from annulus.scheduling.tests.factories import next_weekday
from annulus.screening.red_flags import FLAG_IDS
from annulus.website.tests.browser import RequestLog, axe_violations, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def check(page, name: str, problems: dict) -> None:
    assert page.locator("html").get_attribute("lang") == "es", name
    found = axe_violations(page)
    if found:
        problems[name] = found
    shoot(page, f"es-{name}")


def test_a_spanish_speaker_on_a_phone_screens_books_and_answers_a_survey(
    phone_page, live_server, clinic, schedule, mailoutbox
):
    page = phone_page
    requests = RequestLog(page, live_server.url)
    problems: dict[str, list[str]] = {}

    # The self-check, from the English page through the language switch, by keyboard.
    page.goto("/screen/")
    switch = page.get_by_role("navigation", name="Language").get_by_role("link", name="Español")
    switch.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/es/screen/$"))
    assert page.locator("h1").inner_text() == "Autoevaluación: ¿le podría ayudar una evaluación?"
    check(page, "screen", problems)
    for flag in FLAG_IDS:  # a red flag: new numbness between the legs
        answer = "yes" if flag == "saddle_anesthesia" else "no"
        page.locator(f"input[name='{flag}'][value='{answer}']").check()
    page.get_by_role("button", name="Continuar").click()
    assert page.locator("h1").inner_text() == "Vaya ahora mismo a un servicio de urgencias"
    assert "llame al 911" in page.locator("main").inner_text()
    assert page.get_by_role("link", name="Pedir cita").count() == 0  # no booking offered
    check(page, "red-flag", problems)

    # A booking, in Spanish from start to end.
    monday = next_weekday(0)
    with translation.override("es"):
        day_name = dateformat.format(monday, "l j \\d\\e F")
    page.goto("/es/book/")
    assert page.locator("h1").inner_text() == "Pedir una cita"
    check(page, "services", problems)
    page.get_by_role("link", name=re.compile("^Consultation")).click()
    assert page.locator("h1").inner_text() == "Elija un día"
    while not page.get_by_role("link", name=re.compile(day_name)).count():
        page.get_by_role("link", name="Fechas posteriores").click()
    page.get_by_role("link", name=re.compile(day_name)).click()
    assert page.locator("h1").inner_text() == "Elija una hora"
    check(page, "times", problems)
    page.get_by_role("link", name=re.compile(r"^9:00 a\. m\. C[SD]T")).click()
    assert page.locator("h1").inner_text() == "Sus datos"
    page.get_by_role("button", name="Confirmar la cita").click()  # nothing filled in yet
    assert "Escriba su nombre." in page.locator("main").inner_text()
    check(page, "details-errors", problems)
    page.get_by_label("Nombre", exact=False).first.fill("Rosa")
    page.get_by_label("Apellidos").fill("Prueba")
    page.get_by_label("Fecha de nacimiento").fill("05/02/1980")
    page.get_by_label("Correo electrónico").fill("rosa@example.org")
    page.get_by_label("En persona").check()
    page.get_by_role("button", name="Confirmar la cita").click()
    assert page.locator("h1").inner_text() == "Su cita está reservada"
    check(page, "booked", problems)

    # A survey for a patient whose record says Spanish.
    patient = make_patient(clinic)
    patient.language = "es"
    patient.save(update_fields=["language"])
    outcomes.enrol(patient)
    baseline = Invitation.objects.get(follow_up__patient=patient, code="baseline")
    _, token = outcomes.reissue(baseline)
    page.goto(f"/es/survey/{token}/")
    assert "Guardar y continuar" in page.locator("main").inner_text()
    # The first question is one of our own, so it is asked in Spanish (outcomes/own_wording.py).
    assert "el dolor en la parte baja de su espalda?" in page.locator("main").inner_text()
    check(page, "survey", problems)
    page.locator("input[type=radio][value='6']").first.check()
    page.get_by_role("button", name="Guardar y continuar").click()
    assert "Página 2 de" in page.locator("main").inner_text()

    # Every email a patient got is in Spanish (the clinic's own notice stays English).
    run_worker()
    to_patients = OutboundEmail.objects.exclude(kind="booking.staff_new")
    kinds = {e.kind: e.subject for e in to_patients}
    assert "booking.confirmation" in kinds and "outcomes.survey.invitation" in kinds
    for email in to_patients:
        assert re.match(r"^(Su |Recordatorio)", email.subject), email.subject
        assert email.body_text.startswith("Hola"), email.body_text[:80]
    sent = [m for m in mailoutbox if m.to in (["rosa@example.org"], [patient.email])]
    assert sent and all(m.body.startswith("Hola") for m in sent)

    assert not problems, problems
    assert not requests.foreign(), requests.foreign()
