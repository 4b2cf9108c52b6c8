"""The survey emails: who may be emailed, the email that carries a link, and removing the link
from stored copies once it is sent or dead.

Imported by the outcomes actions (links, answers) and by the timers in `delivery.py`; it imports
no action, so the two never import each other.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from annulus.lib.site import DEVELOPMENT_SITE_URL, site_base
from annulus.notifications.actions import queue_email
from annulus.notifications.models import OutboundEmail
from annulus.outcomes import library
from annulus.outcomes.models import Invitation, LinkPurpose, SurveyLink
from annulus.patients.models import Consent, ConsentKind, Patient
from annulus.website.languages import prefixed

EMAIL_KINDS = ("outcomes.survey.invitation", "outcomes.survey.reminder")
_LINK_IN_TEXT = re.compile(r"(/survey/)[A-Za-z0-9_-]{20,}/")
REDACTED = "[link removed after sending]"


# ---- who -----------------------------------------------------------------------------------


def may_email(patient: Patient) -> bool:
    """An address, and no refusal of follow-up surveys (the latest decision counts)."""
    if not patient.email:
        return False
    latest = (
        Consent.objects.filter(patient=patient, kind=ConsentKind.OUTCOME_SURVEYS)
        .order_by("-given_at", "-id")
        .first()
    )
    return latest is None or latest.granted


# ---- the email -------------------------------------------------------------------------------


def survey_url(invitation: Invitation, token: str) -> str:
    """The link opens the survey pages in the patient's language (`/es/survey/...`)."""
    language = invitation.follow_up.patient.language or "en"
    return f"{site_base(fallback=DEVELOPMENT_SITE_URL)}{prefixed(f'/survey/{token}/', language)}"


def minutes_needed(invitation: Invitation) -> int:
    items = sum(len(library.shipped(i).items) for i in invitation.instruments)
    return max(2, round(items * 10 / 60))  # about ten seconds an item


def email_link(invitation: Invitation, link: SurveyLink, token: str) -> OutboundEmail:
    """Queue the email that carries ``link``. No name and no health detail in the email."""
    patient = invitation.follow_up.patient
    clinic = patient.clinic
    reminder = link.purpose in (LinkPurpose.REMINDER_1, LinkPurpose.REMINDER_2)
    context: dict[str, Any] = {
        "clinic": clinic,
        "label": invitation.label,
        "url": survey_url(invitation, token),
        "closes": invitation.closes,
        "minutes": minutes_needed(invitation),
        "reminder": reminder,
        "reissued": link.purpose == LinkPurpose.REISSUE,
    }
    with translation.override(patient.language or "en"):
        subject = (
            _("Reminder: your questionnaire from %(clinic)s") % {"clinic": clinic.name}
            if reminder
            else _("Your questionnaire from %(clinic)s") % {"clinic": clinic.name}
        )
        body = render_to_string("outcomes/email/survey.txt", context)
    email = queue_email(
        kind=EMAIL_KINDS[1] if reminder else EMAIL_KINDS[0],
        to=patient.email,
        subject=subject[:200],
        body_text=body,
        clinic=clinic,
        patient_id=patient.pk,
        dedupe_key=f"outcomes.link:{link.pk}",
    )
    link.email = email
    link.save(update_fields=["email"])
    return email


def redact(text: str) -> str:
    return _LINK_IN_TEXT.sub(rf"\g<1>{REDACTED}/", text)


def redact_email(email_id: int) -> None:
    email = OutboundEmail.objects.filter(pk=email_id).only("body_text", "body_html").first()
    if email is None:
        return
    text, html = redact(email.body_text), redact(email.body_html)
    if (text, html) != (email.body_text, email.body_html):
        OutboundEmail.objects.filter(pk=email_id).update(body_text=text, body_html=html)


def redact_links_in_emails(links: QuerySet[SurveyLink]) -> None:
    """Remove the links from the stored copies of these links' emails (the link is dead)."""
    for email_id in links.exclude(email=None).values_list("email_id", flat=True):
        redact_email(email_id)
