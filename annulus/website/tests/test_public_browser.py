"""The public site in Debian's Chromium on a phone-sized screen.

A visitor reads an article, gets the guide (the email and its PDF reach the outbox), goes down
every branch of the self-check and on into booking; axe-core finds nothing on any page, including
the forms' error states; nothing is requested from another origin; the forms work without
JavaScript and with the keyboard alone.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail

from annulus.leads.models import Lead
from annulus.notifications.models import OutboundEmail
from annulus.screening.carry_over import answers_for_token
from annulus.screening.models import ScreeningResponse
from annulus.screening.red_flags import FLAG_IDS, RED_FLAGS
from annulus.website.content import library
from annulus.website.site import booking_available
from annulus.website.tests.browser import RequestLog, axe_violations, shoot
from annulus.website.tests.fixtures import run_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIT_CHOICES = {
    "How old are you?": "18 to 75",
    "How long have you had this low back pain?": "More than a year",
    "Where is the pain worst?": "Mostly my low back (any leg pain is much milder)",
    "Does pain go down a leg below the knee?": "No",
    "Have you had at least 3 months of care that included exercise or physical therapy?": (
        "Yes: 3 months or more, including exercise or physical therapy"
    ),
    "Have you had an operation or a disc treatment on your lower back?": "No",
    "Have you served in the armed forces?": "Yes",
}


@pytest.fixture(autouse=True)
def _public_site(site_clinic, quick_forms, guide_dir):
    return site_clinic


def answer_red_flags(page, yes=()):
    for flag in RED_FLAGS:
        group = page.get_by_role("group", name=re.compile(re.escape(flag.question[:40])))
        group.get_by_label("Yes" if flag.id in yes else "No", exact=True).check()
    page.get_by_role("button", name="Continue").click()


def answer_pain(page, changes=None, *, back_pain="6", carry_over=False):
    choices = {**FIT_CHOICES, **(changes or {})}
    for question, answer in choices.items():
        page.get_by_role("group", name=re.compile(re.escape(question))).get_by_label(
            answer, exact=True
        ).check()
    page.get_by_label(re.compile("how bad was your low back pain")).select_option(back_pain)
    if carry_over:
        page.get_by_label(re.compile("use these answers")).check()
    page.get_by_role("button", name="See my result").click()


def test_a_visitor_on_a_phone_reads_gets_the_guide_screens_and_goes_on_to_booking(
    phone_page, live_server, mailoutbox
):
    page = phone_page
    requests = RequestLog(page, live_server.url)

    # Reads an article from the home page.
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Learn").click()
    page.get_by_role("link", name="The evidence for fibrin injection, told honestly").click()
    assert page.locator("h1").inner_text() == "The evidence for fibrin injection, told honestly"
    assert "33.5%" in page.locator("article").inner_text()
    assert "not medical advice" in page.locator("footer").inner_text()
    shoot(page, "article")

    # Asks for the guide; the email and its PDF reach the outbox.
    page.get_by_role("link", name="Free guide").first.click()
    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Email address").fill("robin@example.org")
    page.get_by_label("How did you hear about us?").select_option("veterans")
    page.get_by_label(re.compile("Email me the free guide")).check()
    page.get_by_role("button", name="Send me the guide").click()
    assert page.locator("h1").inner_text() == "Your guide is on its way"
    run_worker()
    assert Lead.objects.get().email == "robin@example.org"
    email = OutboundEmail.objects.get(kind="leads.guide")
    assert email.status == "sent"
    assert email.attachments[0]["content_type"] == "application/pdf"
    (message,) = mailoutbox
    assert message.attachments[0][1].startswith(b"%PDF-")

    # Takes the self-check, agrees to carry the answers on, and follows the booking link.
    page.get_by_role("link", name="Self-check").first.click()
    answer_red_flags(page)
    assert page.locator("h1").inner_text() == "Self-check: about your pain"
    answer_pain(page, carry_over=True)
    assert page.locator("h1").inner_text() == "Worth a specialist evaluation"
    shoot(page, "result-evaluation")
    link = page.get_by_role("link", name="Book a consultation")
    href = link.get_attribute("href")
    query = parse_qs(urlsplit(href).query)
    assert urlsplit(href).path == "/book/"
    assert query["service"] == ["consultation"]
    token = query["screening"][0]
    assert answers_for_token(token)["red_flags"] == dict.fromkeys(FLAG_IDS, False)
    with page.expect_navigation():
        response_holder = []
        page.once("response", lambda r: response_holder.append(r))
        link.click()
    assert page.url == live_server.url + href
    if booking_available():
        assert response_holder[0].status == 200
    assert not requests.foreign(), requests.foreign()


@pytest.mark.parametrize(
    ("flags", "heading", "kind"),
    [
        (("saddle_anesthesia",), "Go to an emergency department now", "emergency"),
        (
            ("progressive_neurological_deficit", "fever"),
            "Go to an emergency department now",
            "emergency-and-urgent",
        ),
        (
            ("unexplained_weight_loss",),
            "See a doctor urgently: today, or within a few days",
            "urgent-review",
        ),
    ],
)
def test_a_red_flag_stops_the_self_check_with_instructions_and_no_booking(
    phone_page, flags, heading, kind
):
    page = phone_page
    page.goto("/screen/")
    answer_red_flags(page, yes=flags)
    assert page.locator("h1").inner_text() == heading
    assert page.locator("a[href*='/book/']").count() == 0
    assert "How old are you?" not in page.content()
    shoot(page, f"result-{kind}")
    stored = ScreeningResponse.objects.get()
    assert stored.outcome == "urgent_referral"
    assert [f for f in FLAG_IDS if stored.red_flags[f]] == list(flags)


@pytest.mark.parametrize(
    ("changes", "back_pain", "heading", "text"),
    [
        (
            {"Where is the pain worst?": "Mostly a leg"},
            "6",
            "Unlikely to fit this procedure",
            "What to ask your own doctor instead",
        ),
        (
            {"How long have you had this low back pain?": "3 to 6 months"},
            "6",
            "Conservative care first",
            "less than 6 months",
        ),
        ({}, "2", "Conservative care first", "mild on most days"),
    ],
)
def test_the_self_check_explains_the_other_outcomes_without_booking(
    phone_page, changes, back_pain, heading, text
):
    page = phone_page
    page.goto("/screen/")
    answer_red_flags(page)
    answer_pain(page, changes, back_pain=back_pain)
    assert page.locator("h1").inner_text() == heading
    assert text in page.locator("main").inner_text()
    assert page.locator("main a[href*='/book/']").count() == 0
    shoot(page, "result-" + heading.split()[0].lower() + back_pain)


def test_every_public_page_has_no_axe_violations_even_with_form_errors(phone_page, live_server):
    page = phone_page
    requests = RequestLog(page, live_server.url)
    problems: dict[str, list[str]] = {}

    def check(name):
        found = axe_violations(page)
        if found:
            problems[name] = found
        shoot(page, name)

    for path, name in [
        ("/", "home"),
        ("/learn/", "learn"),
        ("/guide/", "guide"),
        ("/guide/thanks/", "thanks"),
        ("/disclaimer/", "disclaimer"),
        ("/learn/nope/", "not-found"),
        ("/guide/unsubscribe/" + "x" * 43 + "/", "unsubscribe-unknown"),
    ]:
        page.goto(path)
        check(name)
    for article in library().articles.values():
        page.goto(article.path)
        check(f"learn-{article.slug}")

    page.goto("/guide/")
    page.get_by_label("Email address").fill("not-an-email")
    page.get_by_role("button", name="Send me the guide").click()
    assert page.locator(".error").count() >= 3
    check("guide-errors")

    page.goto("/screen/")
    check("screen")
    page.get_by_role("button", name="Continue").click()
    # One message per unanswered warning-sign question.
    assert page.locator(".error").count() == len(RED_FLAGS)
    check("screen-errors")
    answer_red_flags(page)
    check("screen-step-two")
    page.get_by_role("button", name="See my result").click()
    assert page.locator(".error").count() == 7
    check("screen-step-two-errors")
    answer_pain(page, carry_over=True)
    check("result-worth")
    page.goto("/screen/")
    answer_red_flags(page, yes=("bladder_or_bowel_dysfunction",))
    check("result-emergency")
    page.goto("/screen/")
    answer_red_flags(page, yes=("cancer_history",))
    check("result-urgent")

    lead = Lead.objects.create(
        clinic_id=ScreeningResponse.objects.first().clinic_id,
        first_name="A",
        email="a@example.org",
        consent_wording_version="v",
        consent_given_at="2026-01-01T00:00Z",
    )
    from annulus.leads.actions import unsubscribe_token
    from annulus.lib.tokens import token_hash

    Lead.objects.filter(pk=lead.pk).update(
        unsubscribe_token_hash=token_hash(unsubscribe_token(lead))
    )
    page.goto(f"/guide/unsubscribe/{unsubscribe_token(lead)}/")
    check("unsubscribe")
    page.get_by_role("button", name="Unsubscribe").click()
    check("unsubscribed")

    assert not problems, problems
    assert not requests.foreign(), requests.foreign()


def test_the_forms_work_without_javascript(chromium, live_server, mailoutbox):
    context = chromium.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    try:
        page.goto("/guide/")
        page.get_by_role("button", name="Send me the guide").click()
        assert "Enter your first name" in page.locator("main").inner_text()
        page.get_by_label("First name").fill("Sam")
        page.get_by_label("Email address").fill("sam@example.org")
        page.get_by_label(re.compile("Email me the free guide")).check()
        page.get_by_role("button", name="Send me the guide").click()
        assert page.locator("h1").inner_text() == "Your guide is on its way"
        assert Lead.objects.filter(email="sam@example.org").exists()

        page.goto("/screen/")
        answer_red_flags(page)
        answer_pain(page)
        assert page.locator("h1").inner_text() == "Worth a specialist evaluation"
    finally:
        context.close()


def test_the_self_check_and_the_guide_work_with_the_keyboard_alone(phone_page):
    page = phone_page
    page.goto("/screen/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    for flag in RED_FLAGS:
        page.keyboard.press("Tab")  # into the group, on "Yes"
        page.keyboard.press("ArrowDown")  # moves to and checks "No"
        assert page.evaluate("document.activeElement.name") == flag.id
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Continue"
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Self-check: about your pain"

    page.goto("/guide/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # skip link
    focused = []
    for _ in range(12):
        page.keyboard.press("Tab")
        focused.append(
            page.evaluate("document.activeElement.name || document.activeElement.textContent")
        )
        name = focused[-1]
        if name == "first_name":
            page.keyboard.type("Kim")
        elif name == "email":
            page.keyboard.type("kim@example.org")
        elif name == "consent":
            page.keyboard.press("Space")
        elif name == "Send me the guide":
            page.keyboard.press("Enter")
            break
    assert "website" not in focused  # the honeypot is out of the tab order
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Your guide is on its way"
    assert Lead.objects.filter(email="kim@example.org").exists()


def test_the_result_page_offers_booking_only_with_the_token_the_person_agreed_to(phone_page):
    page = phone_page
    page.goto("/screen/")
    answer_red_flags(page)
    answer_pain(page, carry_over=False)
    href = page.get_by_role("link", name="Book a consultation").get_attribute("href")
    assert href == "/book/?service=consultation"
    assert len(mail.outbox) == 0
