"""Every write of a treatment consent: prepare it, open it for signing, sign it.

One transaction and one audit event each; audit details hold ids and codes only. Actions take
the acting user and an `AuditContext`, never the request.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from annulus.audit.actions import CONSENT_LINK_CREATE, CONSENT_PREPARE, CONSENT_SIGN
from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.consents.models import ConsentKind, SigningChannel, TreatmentConsent
from annulus.consents.texts import current_version, has_translation, load_text
from annulus.lib.tokens import new_token, token_hash
from annulus.patients.models import ChangeRecord, Patient

LINK_DAYS = 7
TABLET_MINUTES = 30


class ConsentError(Exception):
    """A consent that cannot be prepared or signed as asked; the message is for people."""


class AlreadySigned(ConsentError):
    def __init__(self, consent: TreatmentConsent) -> None:
        super().__init__(_("This consent has already been signed."))
        self.consent = consent


class OutdatedText(ConsentError):
    pass


@dataclass(frozen=True)
class EstimateItem:
    label: str
    amount: Decimal


def valid_consent(patient: Patient, kind: str) -> TreatmentConsent | None:
    """The patient's signed consent of `kind` on the current text version, or None.

    After the text changes, the consent signed on the old version stays on the record but no
    longer allows the procedure: the patient signs the new version.
    """
    return (
        TreatmentConsent.objects.signed()
        .filter(patient=patient, kind=kind, text_version=current_version(kind))
        .order_by("-signed_at")
        .first()
    )


def prepare_consent(
    patient: Patient,
    *,
    kind: str,
    estimate: list[EstimateItem],
    currency: str = "USD",
    user: Any,
    ctx: AuditContext,
) -> TreatmentConsent:
    """A consent ready to sign, on the current text, with its written cost estimate.

    The text is in the patient's language when that version has a translation, else English.
    Refused when this text version is already signed, or when no estimate item is given. An
    unsigned consent of the same kind is replaced (its link stops working), so only one waits.
    """
    if kind not in ConsentKind.values:
        raise ConsentError(f"Kind: {kind!r} is not a consent kind.")
    if not estimate:
        raise ConsentError("Cost estimate: add at least one item.")
    if any(item.amount < 0 for item in estimate):
        raise ConsentError("Cost estimate: amounts cannot be negative.")
    version = current_version(kind)
    language = patient.language if has_translation(kind, version, patient.language) else "en"
    text = load_text(kind, version, language)
    with transaction.atomic():
        if (
            TreatmentConsent.objects.signed()
            .filter(patient=patient, kind=kind, text_version=text.version)
            .exists()
        ):
            raise AlreadySigned(
                TreatmentConsent.objects.signed().get(
                    patient=patient, kind=kind, text_version=text.version
                )
            )
        replaced = list(
            TreatmentConsent.objects.select_for_update()
            .filter(patient=patient, kind=kind, signed_at__isnull=True)
            .values_list("pk", flat=True)
        )
        TreatmentConsent.objects.filter(pk__in=replaced).delete()
        consent = TreatmentConsent.objects.create(
            patient=patient,
            kind=kind,
            text_version=text.version,
            text_sha256=text.sha256,
            text_language=text.language,
            estimate_items=[{"label": i.label, "amount": f"{i.amount:.2f}"} for i in estimate],
            estimate_total=sum((i.amount for i in estimate), Decimal("0")),
            currency=currency,
            created_by=user,
        )
        ChangeRecord.objects.create(
            patient=patient,
            record_type="TreatmentConsent",
            record_id=str(consent.pk),
            action="create",
            changes={
                "kind": [None, kind],
                "text_version": [None, text.version],
                "text_language": [None, text.language],
                "estimate_total": [None, f"{consent.estimate_total:.2f}"],
            },
            changed_by=user,
        )
        record(
            CONSENT_PREPARE,
            ctx=ctx,
            actor=user,
            clinic=patient.clinic,
            patient_id=patient.pk,
            obj=consent,
            details={
                "kind": kind,
                "version": text.version,
                "language": text.language,
                "replaced": replaced,
            },
        )
    return consent


def open_for_signing(
    consent: TreatmentConsent, *, channel: str, user: Any, ctx: AuditContext
) -> tuple[str, datetime]:
    """A new signing token (the old one stops working): (token, expires_at).

    `tablet` links last 30 minutes (the patient signs now, on the clinic's device); `link`
    links 7 days (sent to the patient). Only the token's SHA-256 is stored.
    """
    if channel not in SigningChannel.values:
        raise ConsentError(f"Channel: {channel!r} is not a signing channel.")
    token = new_token()
    now = timezone.now()
    expires = now + (
        timedelta(minutes=TABLET_MINUTES)
        if channel == SigningChannel.TABLET
        else timedelta(days=LINK_DAYS)
    )
    with transaction.atomic():
        updated = TreatmentConsent.objects.filter(pk=consent.pk, signed_at__isnull=True).update(
            token_hash=token_hash(token), link_channel=channel, link_expires_at=expires
        )
        if not updated:
            consent.refresh_from_db()
            raise AlreadySigned(consent)
        record(
            CONSENT_LINK_CREATE,
            ctx=ctx,
            actor=user,
            clinic=consent.patient.clinic,
            patient_id=consent.patient_id,
            obj=consent,
            details={"channel": channel},
        )
    consent.refresh_from_db()
    return token, expires


def consent_for_token(token: str) -> TreatmentConsent | None:
    """The unsigned consent a live token opens, or None (unknown, expired or used)."""
    consent = (
        TreatmentConsent.objects.select_related("patient__clinic")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if consent is None or not signable(consent):
        return None
    return consent


def signable(consent: TreatmentConsent) -> bool:
    return (
        consent.signed_at is None
        and consent.link_expires_at is not None
        and consent.link_expires_at > timezone.now()
    )


def sign_consent(
    consent: TreatmentConsent,
    *,
    typed_name: str,
    accepted: list[str],
    ctx: AuditContext,
) -> TreatmentConsent:
    """The patient's signature: their typed name, every statement ticked, time, IP and version.

    Exactly one of two submits signs (a conditional update); the other gets `AlreadySigned`.
    The PDF copy is rendered and stored with its SHA-256 in the same transaction.
    """
    from annulus.consents.pdf import render_consent_pdf

    text = load_text(consent.kind, consent.text_version, consent.text_language)
    if consent.text_version != current_version(consent.kind):
        raise OutdatedText(_("This consent form has been updated; ask the clinic for the new one."))
    missing = [s for s in text.statement_ids if s not in set(accepted)]
    if missing:
        raise ConsentError(
            _("Statements: tick every statement (missing: %(ids)s).") % {"ids": ", ".join(missing)}
        )
    name = " ".join(typed_name.split())
    if not name:
        raise ConsentError(_("Your full name: type your name to sign."))
    with transaction.atomic():
        now = timezone.now()
        try:
            with transaction.atomic():  # a savepoint: PostgreSQL keeps going after a conflict
                updated = TreatmentConsent.objects.filter(
                    pk=consent.pk,
                    signed_at__isnull=True,
                    link_expires_at__gt=now,
                    text_sha256=text.sha256,
                ).update(
                    signed_at=now,
                    signed_name=name,
                    signed_ip=ctx.ip,
                    signed_channel=consent.link_channel,
                    signed_statements=list(text.statement_ids),
                    token_hash=None,
                )
        except IntegrityError:  # this version already signed through another request
            updated = 0
        consent.refresh_from_db()
        if not updated:
            if consent.signed_at is not None:
                raise AlreadySigned(consent)
            raise ConsentError(_("This signing link has expired; ask the clinic for a new one."))
        pdf = render_consent_pdf(consent, text)
        consent.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        consent.pdf.save("consent.pdf", ContentFile(pdf), save=False)
        TreatmentConsent.objects.filter(pk=consent.pk).update(
            pdf=consent.pdf.name, pdf_sha256=consent.pdf_sha256
        )
        ChangeRecord.objects.create(
            patient=consent.patient,
            record_type="TreatmentConsent",
            record_id=str(consent.pk),
            action="update",
            changes={
                "signed_at": [None, now.isoformat()],
                "pdf_sha256": [None, consent.pdf_sha256],
            },
            via_patient_link=consent.signed_channel == SigningChannel.LINK,
        )
        record(
            CONSENT_SIGN,
            ctx=ctx,
            clinic=consent.patient.clinic,
            patient_id=consent.patient_id,
            obj=consent,
            details={
                "kind": consent.kind,
                "version": consent.text_version,
                "language": consent.text_language,
                "channel": consent.signed_channel,
            },
        )
    return consent
