"""The consult note going back to the referring doctor: an expiring email link, or a fax.

The email carries a link, never the note, and nothing about the patient: the doctor reads the
note on our site, where each opening is audited. The note is printed once, when it is sent, and
stored with its SHA-256, so the doctor reads exactly what was sent.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from annulus.audit.actions import (
    CONSULT_NOTE_DOCTOR_VIEW,
    CONSULT_NOTE_EMAILED,
    CONSULT_NOTE_FAXED,
    CONSULT_NOTE_OPENED,
)
from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.documents.storage import document_storage
from annulus.frontoffice.models import ConsultNoteShare, NoteChannel, ReferringDoctor
from annulus.frontoffice.referral_actions import ReferralError
from annulus.lib.site import site_base
from annulus.lib.tokens import new_token, token_hash
from annulus.lib.validators import clean_phone
from annulus.patients.models import ChangeRecord

if TYPE_CHECKING:
    from annulus.candidacy.models import Evaluation
    from annulus.patients.models import Patient

LINK_DAYS = 14
LINK_PATH = "/referral-note/"


class NoteUnavailable(Exception):
    """The stored note is missing or no longer matches its SHA-256."""


def _check(patient: Patient, doctor: ReferringDoctor, evaluation: Evaluation) -> None:
    if evaluation.patient_id != patient.pk:
        raise ReferralError("evaluation", "Consult note: choose one of this patient's evaluations.")
    if not doctor.patients.filter(patient=patient).exists():
        raise ReferralError("doctor", "Doctor: link the doctor to this patient first.")


def email_note(
    patient: Patient,
    doctor: ReferringDoctor,
    evaluation: Evaluation,
    *,
    base_url: str,
    actor: Any,
    ctx: AuditContext,
) -> ConsultNoteShare:
    """Print the note, store it, and email the doctor a link that expires in LINK_DAYS days.

    The link is built now, from ANNULUS_SITE_URL when set (else `base_url`, this request's site).
    """
    from annulus.candidacy.consult_note import render_html, render_pdf
    from annulus.notifications.actions import queue_email

    _check(patient, doctor, evaluation)
    if not doctor.email:
        raise ReferralError("channel", "Send by: this doctor has no email address; fax it.")
    now = timezone.now()
    pdf = render_pdf(render_html(evaluation, generated_at=now, generated_by=actor))
    storage = document_storage()
    name = storage.save(f"consult-notes/{uuid.uuid4().hex}.pdf", ContentFile(pdf))
    token = new_token()
    expires = now + timedelta(days=LINK_DAYS)
    base = site_base(fallback=base_url)
    context = {
        "doctor": doctor,
        "clinic": patient.clinic,
        "url": f"{base}{LINK_PATH}{token}/",
        "expires_local": expires.astimezone(patient.clinic.zone),
    }
    try:
        with transaction.atomic():
            share = ConsultNoteShare.objects.create(
                patient=patient,
                doctor=doctor,
                evaluation=evaluation,
                channel=NoteChannel.EMAIL,
                sent_at=now,
                sent_by=actor,
                token_hash=token_hash(token),
                expires_at=expires,
                pdf_storage_name=name,
                pdf_sha256=hashlib.sha256(pdf).hexdigest(),
            )
            _history(share, actor)
            queue_email(
                kind="frontoffice.consult_note",
                to=doctor.email,
                subject=f"A consult note from {patient.clinic.name}"[:200],
                body_text=render_to_string("frontoffice/email/consult_note.txt", context),
                clinic=patient.clinic,
                patient_id=patient.pk,
                dedupe_key=f"frontoffice.consult_note:{share.pk}",
            )
            record(
                CONSULT_NOTE_EMAILED,
                ctx=ctx,
                actor=actor,
                clinic=patient.clinic,
                patient_id=patient.pk,
                obj=share,
                details={"doctor": doctor.pk, "evaluation": evaluation.pk, "days": LINK_DAYS},
            )
    except BaseException:
        storage.delete(name)
        raise
    return share


def mark_faxed(
    patient: Patient,
    doctor: ReferringDoctor,
    evaluation: Evaluation,
    *,
    fax_number: str,
    faxed_on: date,
    actor: Any,
    ctx: AuditContext,
) -> ConsultNoteShare:
    """Record that the note was faxed, on which day and to which number."""
    _check(patient, doctor, evaluation)
    try:
        number = clean_phone(fax_number)
    except ValueError as problem:
        raise ReferralError("fax_number", f"Fax number: {problem}.") from None
    if not number:
        raise ReferralError("fax_number", "Fax number: enter the number the note was faxed to.")
    if faxed_on > timezone.localdate(timezone=patient.clinic.zone):
        raise ReferralError("faxed_on", "Faxed on: the date cannot be in the future.")
    with transaction.atomic():
        duplicate = ConsultNoteShare.objects.filter(
            patient=patient,
            doctor=doctor,
            evaluation=evaluation,
            channel=NoteChannel.FAX,
            fax_number=number,
            faxed_on=faxed_on,
        ).first()
        if duplicate is not None:  # a double submit records one fax
            return duplicate
        share = ConsultNoteShare.objects.create(
            patient=patient,
            doctor=doctor,
            evaluation=evaluation,
            channel=NoteChannel.FAX,
            sent_by=actor,
            fax_number=number,
            faxed_on=faxed_on,
        )
        _history(share, actor)
        record(
            CONSULT_NOTE_FAXED,
            ctx=ctx,
            actor=actor,
            clinic=patient.clinic,
            patient_id=patient.pk,
            obj=share,
            details={"doctor": doctor.pk, "evaluation": evaluation.pk},
        )
    return share


def _history(share: ConsultNoteShare, actor: Any) -> None:
    ChangeRecord.objects.create(
        patient=share.patient,
        record_type="ConsultNoteShare",
        record_id=str(share.pk),
        action="create",
        changes={
            "doctor": [None, share.doctor_id],
            "evaluation": [None, share.evaluation_id],
            "channel": [None, share.channel],
        },
        changed_by=actor,
    )


def share_for_token(token: str) -> ConsultNoteShare | None:
    share = (
        ConsultNoteShare.objects.select_related("patient__clinic", "doctor")
        .filter(token_hash=token_hash(token), channel=NoteChannel.EMAIL)
        .first()
    )
    if share is None or share.expired:
        return None
    return share


def live_share(share_id: object) -> ConsultNoteShare | None:
    if not isinstance(share_id, int):
        return None
    share = (
        ConsultNoteShare.objects.select_related("patient__clinic", "doctor", "evaluation")
        .filter(pk=share_id, channel=NoteChannel.EMAIL)
        .first()
    )
    if share is None or share.expired:
        return None
    return share


def record_opening(share: ConsultNoteShare, *, ctx: AuditContext) -> None:
    """The doctor followed the emailed link (each opening is audited; the first is kept)."""
    now = timezone.now()
    with transaction.atomic():
        ConsultNoteShare.objects.filter(pk=share.pk, first_opened_at__isnull=True).update(
            first_opened_at=now
        )
        ConsultNoteShare.objects.filter(pk=share.pk).update(open_count=F("open_count") + 1)
        record(
            CONSULT_NOTE_OPENED,
            ctx=ctx,
            clinic=share.patient.clinic,
            patient_id=share.patient_id,
            obj=share,
            details={"doctor": share.doctor_id, "first": share.first_opened_at is None},
        )


def read_note(share: ConsultNoteShare, *, ctx: AuditContext) -> bytes:
    """The note as sent, after checking its SHA-256; the reading is audited."""
    try:
        with document_storage().open(share.pdf_storage_name, "rb") as handle:
            data = handle.read()
    except (OSError, ValueError) as exc:
        raise NoteUnavailable("the stored note cannot be read") from exc
    if hashlib.sha256(data).hexdigest() != share.pdf_sha256:
        raise NoteUnavailable("the stored note does not match the SHA-256 taken when it was sent")
    record(
        CONSULT_NOTE_DOCTOR_VIEW,
        ctx=ctx,
        clinic=share.patient.clinic,
        patient_id=share.patient_id,
        obj=share,
        details={"doctor": share.doctor_id},
    )
    return data
