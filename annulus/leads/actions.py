"""Every write to a lead: one transaction, one audit event, email on commit.

Audit details hold ids and codes only: never a name, an email address or a phone number.
"""

from __future__ import annotations

import base64
import hmac
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext
from django_tasks import task

from annulus.audit.actions import (
    LEAD_CONTACTED,
    LEAD_CONVERTED,
    LEAD_GUIDE_REQUESTED,
    LEAD_SPAM_REFUSED,
    LEAD_UNSUBSCRIBED,
)
from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.leads.models import Lead, LeadStatus
from annulus.lib.site import site_base
from annulus.lib.tokens import token_hash
from annulus.patients.actions import create_patient
from annulus.patients.models import Consent as PatientConsent
from annulus.patients.models import ConsentKind, ContactChannel, Patient

GUIDE_SOURCE = "guide_form"
UNSUBSCRIBE_SOURCE = "guide_unsubscribe"
UNSUBSCRIBE_WORDING = "guide-unsubscribe-v1"
# A repeat request within this window sends nothing new (double submits, impatient clicks).
RESEND_AFTER = timedelta(hours=24)


class AlreadyConverted(Exception):
    pass


@dataclass(frozen=True)
class GuideRequest:
    first_name: str
    email: str
    phone: str
    heard_about: str
    consent_wording_version: str
    language: str = "en"  # the page's language: the guide, its email and any later email


def unsubscribe_token(lead: Lead) -> str:
    """The lead's unsubscribe token: the same in every email, so old links keep working.

    Derived from SECRET_KEY and the lead id; only its hash is stored (a database copy alone
    cannot produce working links). Rotating SECRET_KEY ends old links.
    """
    digest = salted_hmac("annulus.leads.unsubscribe", str(lead.pk), algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def find_lead_by_unsubscribe_token(token: str) -> Lead | None:
    lead = Lead.objects.filter(unsubscribe_token_hash=token_hash(token)).first()
    # The hash matched; compare the derived token in constant time as well.
    if lead is not None and hmac.compare_digest(unsubscribe_token(lead), token):
        return lead
    return None


def new_lead(
    clinic: Any,
    *,
    first_name: str,
    email: str,
    phone: str,
    heard_about: str,
    consent_wording_version: str,
    now: Any,
    language: str = "en",
) -> Lead:
    """A new lead row with its unsubscribe link, in a savepoint of its own.

    Raises IntegrityError when the (clinic, email) pair already exists (a concurrent double
    submit): the caller then reads the row the other request stored.
    """
    with transaction.atomic():
        lead = Lead.objects.create(
            clinic=clinic,
            first_name=first_name,
            email=email,
            phone=phone,
            heard_about=heard_about,
            consent_wording_version=consent_wording_version,
            consent_given_at=now,
            language=language,
            created_at=now,
            last_requested_at=now,
        )
        lead.unsubscribe_token_hash = token_hash(unsubscribe_token(lead))
        lead.save(update_fields=["unsubscribe_token_hash"])
    return lead


def request_guide(
    request: HttpRequest, *, clinic: Any, data: GuideRequest, base_url: str
) -> tuple[Lead, bool]:
    """Store (or refresh) the lead for this email and send the guide once per day at most.

    Returns the lead and whether it is new. A repeat or a concurrent double submit of the same
    address never creates a second lead: the (clinic, email) pair is unique in the database.
    """
    now = timezone.now()
    with transaction.atomic():
        lead = Lead.objects.select_for_update().filter(clinic=clinic, email=data.email).first()
        created = False
        if lead is None:
            try:
                lead = new_lead(
                    clinic,
                    first_name=data.first_name,
                    email=data.email,
                    phone=data.phone,
                    heard_about=data.heard_about,
                    consent_wording_version=data.consent_wording_version,
                    now=now,
                    language=data.language,
                )
                created = True
            except IntegrityError:
                lead = Lead.objects.select_for_update().get(clinic=clinic, email=data.email)
        send = created or lead.guide_sent_at is None or now - lead.guide_sent_at >= RESEND_AFTER
        if not created:
            lead.request_count += 1
            lead.last_requested_at = now
            lead.phone = lead.phone or data.phone
            lead.heard_about = lead.heard_about or data.heard_about
            lead.language = data.language  # the form they used last is the one they read
            fields = ["request_count", "last_requested_at", "phone", "heard_about", "language"]
            if lead.unsubscribed_at is not None:
                # They ticked the consent box again: that is a fresh consent.
                lead.unsubscribed_at = None
                lead.consent_wording_version = data.consent_wording_version
                lead.consent_given_at = now
                fields += ["unsubscribed_at", "consent_wording_version", "consent_given_at"]
            lead.save(update_fields=fields)
        record(
            LEAD_GUIDE_REQUESTED,
            request=request,
            clinic=clinic,
            obj=lead,
            details={
                "repeat": not created,
                "guide_queued": send,
                "heard_about": lead.heard_about or None,
                # Which consent sentence this request showed (each language has its own).
                "consent_wording": data.consent_wording_version,
                "language": data.language,
            },
        )
        if send:
            lead_id = lead.pk
            transaction.on_commit(lambda: send_guide.enqueue(lead_id, base_url))
    return lead, created


def record_spam(request: HttpRequest, *, clinic: Any, reason: str) -> None:
    record(LEAD_SPAM_REFUSED, request=request, clinic=clinic, details={"reason": reason})


@task()
def send_guide(lead_id: int, base_url: str) -> str:
    """Print (or reuse) the guide PDF and queue the email with an unsubscribe link.

    All in the lead's language: the PDF, the email, and the links (they open that language's
    pages).
    """
    from annulus.leads.guide_pdf import build_guide_pdf
    from annulus.notifications.actions import attachment, queue_email
    from annulus.website.languages import prefixed

    lead = Lead.objects.select_related("clinic").filter(pk=lead_id).first()
    if lead is None or lead.unsubscribed:
        return "not sent"
    language = lead.language or "en"
    pdf = build_guide_pdf(lead.clinic, language)
    base = site_base(fallback=base_url)
    token = unsubscribe_token(lead)
    context = {
        "lead": lead,
        "clinic": lead.clinic,
        "unsubscribe_url": base + prefixed(f"/guide/unsubscribe/{token}/", language),
        "site_url": base + prefixed("/", language),
        "filename": pdf.filename,
        "language": language,
    }
    day = timezone.now().date().isoformat()
    with translation.override(language):
        subject = gettext("Your free guide from %(clinic)s") % {"clinic": lead.clinic.name}
        body_text = render_to_string("leads/email/guide.txt", context)
        body_html = render_to_string("leads/email/guide.html", context)
    with transaction.atomic():
        queue_email(
            kind="leads.guide",
            to=lead.email,
            subject=subject[:200],
            body_text=body_text,
            body_html=body_html,
            attachments=[attachment(pdf.filename, "application/pdf", pdf.content)],
            clinic=lead.clinic,
            dedupe_key=f"leads.guide:{lead.pk}:{day}",
        )
        Lead.objects.filter(pk=lead.pk).update(
            guide_sent_at=timezone.now(), guide_version=pdf.version
        )
    return "queued"


def unsubscribe(request: HttpRequest, lead: Lead) -> None:
    """The person asked for no more email. Idempotent: a second click changes nothing."""
    with transaction.atomic():
        updated = Lead.objects.filter(pk=lead.pk, unsubscribed_at__isnull=True).update(
            unsubscribed_at=timezone.now()
        )
        if updated:
            record(LEAD_UNSUBSCRIBED, request=request, clinic=lead.clinic, obj=lead)
    lead.refresh_from_db()


def mark_contacted(request: HttpRequest, lead: Lead) -> None:
    with transaction.atomic():
        updated = Lead.objects.filter(pk=lead.pk, status=LeadStatus.NEW).update(
            status=LeadStatus.CONTACTED
        )
        if updated:
            record(LEAD_CONTACTED, request=request, clinic=lead.clinic, obj=lead)
    lead.refresh_from_db()


def convert_lead(
    request: HttpRequest,
    lead: Lead,
    *,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    veteran: bool | None,
) -> Patient:
    """Make the lead a patient (through `create_patient`, so with its change record and
    `patient.create` event) and copy its consent record across, as it was given.

    The contact consent keeps the form's wording version, source and time (it was the person's
    own decision, so `recorded_by` stays empty); an unsubscribe becomes a withdrawal row after it.
    """
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        if locked.patient_id is not None or locked.status == LeadStatus.CONVERTED:
            raise AlreadyConverted(f"lead {lead.pk} is already a patient")
        actor = request.user if request.user.is_authenticated else None
        patient = create_patient(
            locked.clinic,
            actor=actor,
            ctx=AuditContext.from_request(request),
            first_name=first_name,
            last_name=last_name,
            email=email,
            phone=phone,
            veteran=veteran,
            preferred_contact=ContactChannel.EMAIL if email else ContactChannel.PHONE,
            language=locked.language,
        )
        consents = [
            PatientConsent(
                patient=patient,
                kind=ConsentKind.CONTACT,
                granted=True,
                wording_version=locked.consent_wording_version,
                source=GUIDE_SOURCE,
                given_at=locked.consent_given_at,
            )
        ]
        if locked.unsubscribed_at is not None:
            consents.append(
                PatientConsent(
                    patient=patient,
                    kind=ConsentKind.CONTACT,
                    granted=False,
                    wording_version=UNSUBSCRIBE_WORDING,
                    source=UNSUBSCRIBE_SOURCE,
                    given_at=locked.unsubscribed_at,
                )
            )
        PatientConsent.objects.bulk_create(consents)
        locked.patient = patient
        locked.status = LeadStatus.CONVERTED
        locked.converted_at = timezone.now()
        locked.converted_by = actor
        locked.save(update_fields=["patient", "status", "converted_at", "converted_by"])
        record(
            LEAD_CONVERTED,
            request=request,
            clinic=locked.clinic,
            patient_id=patient.pk,
            obj=locked,
            details={
                "lead_id": locked.pk,
                "consents": [
                    {"kind": c.kind, "granted": c.granted, "wording_version": c.wording_version}
                    for c in consents
                ],
            },
        )
    lead.refresh_from_db()
    return patient
