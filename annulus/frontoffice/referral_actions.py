"""Every write about referrals in: a referral from the public form, a referring doctor saved by
staff, a doctor linked to a patient. One transaction and one audit event each; audit details
hold ids and codes only (never a name, an address or the reason for referral)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import IO, TYPE_CHECKING, Any

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from annulus.audit.actions import (
    REFERRAL_RECEIVED,
    REFERRAL_SPAM_REFUSED,
    REFERRING_DOCTOR_LINKED,
    REFERRING_DOCTOR_SAVE,
)
from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.documents.actions import check_upload
from annulus.documents.content import sha256_of_stream
from annulus.documents.storage import document_storage
from annulus.frontoffice.models import (
    PatientReferrer,
    Referral,
    ReferralAttachment,
    ReferringDoctor,
)
from annulus.frontoffice.npi import npi_problem
from annulus.leads.actions import new_lead
from annulus.leads.models import HeardAbout, Lead
from annulus.patients.models import ChangeRecord

if TYPE_CHECKING:
    from annulus.patients.models import Patient

REFERRAL_WORDING_VERSION = "referral-form-v1"
# The same doctor sending the same person again this soon is a double submit: one referral.
DOUBLE_SUBMIT_WINDOW = timedelta(minutes=10)


class ReferralError(Exception):
    """A write refused: `field` names the form field, `message` says why, for people."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


@dataclass(frozen=True)
class DoctorDetails:
    name: str
    practice: str
    npi: str
    email: str
    fax: str


@dataclass(frozen=True)
class IncomingReferral:
    doctor: DoctorDetails
    first_name: str
    last_name: str
    email: str
    phone: str
    date_of_birth: date | None
    reason: str
    attachments: list[IO[bytes]] = field(default_factory=list)


def _check_doctor(details: DoctorDetails) -> None:
    if not details.name.strip():
        raise ReferralError("name", "Doctor's name: enter the referring doctor's name.")
    problem = npi_problem(details.npi)
    if problem:
        raise ReferralError("npi", f"NPI: {problem}.")
    if not details.email and not details.fax:
        raise ReferralError(
            "email", "Email or fax: enter at least one, so the consult note can be sent back."
        )


def save_doctor(
    clinic: Any,
    details: DoctorDetails,
    *,
    doctor: ReferringDoctor | None = None,
    actor: Any,
    ctx: AuditContext,
) -> ReferringDoctor:
    """Create a referring doctor, or update `doctor`. One NPI per clinic."""
    _check_doctor(details)
    target = doctor or ReferringDoctor(clinic=clinic, created_by=actor)
    before = {f: getattr(target, f) for f in ("name", "practice", "npi", "email", "fax")}
    for name in before:
        setattr(target, name, getattr(details, name))
    changed = sorted(k for k, v in before.items() if v != getattr(target, k))
    try:
        with transaction.atomic():
            target.save()
            record(
                REFERRING_DOCTOR_SAVE,
                ctx=ctx,
                actor=actor,
                clinic=clinic,
                obj=target,
                details={"created": doctor is None, "fields": changed},
            )
    except IntegrityError:
        raise ReferralError(
            "npi", "NPI: a referring doctor with this NPI is already recorded."
        ) from None
    return target


def link_doctor(
    patient: Patient, doctor: ReferringDoctor, *, actor: Any, ctx: AuditContext
) -> tuple[PatientReferrer, bool]:
    """Link the doctor to the patient (again is harmless): (link, created)."""
    if doctor.clinic_id != patient.clinic_id:
        raise ReferralError("doctor", "Doctor: choose one of this clinic's referring doctors.")
    with transaction.atomic():
        link, created = PatientReferrer.objects.get_or_create(
            patient=patient, doctor=doctor, defaults={"linked_by": actor}
        )
        if created:
            ChangeRecord.objects.create(
                patient=patient,
                record_type="PatientReferrer",
                record_id=str(link.pk),
                action="create",
                changes={"doctor": [None, doctor.pk]},
                changed_by=actor,
            )
            record(
                REFERRING_DOCTOR_LINKED,
                ctx=ctx,
                actor=actor,
                clinic=patient.clinic,
                patient_id=patient.pk,
                obj=link,
                details={"doctor": doctor.pk},
            )
    return link, created


def _find_or_add_doctor(clinic: Any, details: DoctorDetails) -> tuple[ReferringDoctor, bool]:
    """The doctor with this NPI; a new one is added. A public form never changes the details
    staff recorded (anyone can type an NPI), so an existing doctor is left as it is."""
    existing = ReferringDoctor.objects.filter(clinic=clinic, npi=details.npi).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            doctor = ReferringDoctor.objects.create(
                clinic=clinic,
                name=details.name,
                practice=details.practice,
                npi=details.npi,
                email=details.email,
                fax=details.fax,
            )
    except IntegrityError:  # the same NPI sent twice at once
        return ReferringDoctor.objects.get(clinic=clinic, npi=details.npi), False
    return doctor, True


def _find_or_add_lead(clinic: Any, data: IncomingReferral) -> tuple[Lead, bool]:
    lead = Lead.objects.filter(clinic=clinic, email=data.email).first()
    if lead is not None:
        return lead, False
    now = timezone.now()
    try:
        lead = new_lead(
            clinic,
            first_name=data.first_name,
            email=data.email,
            phone=data.phone,
            heard_about=HeardAbout.DOCTOR,
            consent_wording_version=REFERRAL_WORDING_VERSION,
            now=now,
        )
    except IntegrityError:
        return Lead.objects.get(clinic=clinic, email=data.email), False
    return lead, True


def _store(streams: list[IO[bytes]]) -> list[ReferralAttachment]:
    """Store each file (checked by content) under an internal id; nothing saved to the database
    yet. A refused file raises before any file is stored."""
    checked = []
    for stream in streams:
        file_type = check_upload(stream)  # DocumentRefused names the field and the reason
        checked.append((stream, file_type, sha256_of_stream(stream)))
    storage = document_storage()
    stored: list[ReferralAttachment] = []
    try:
        for stream, file_type, digest in checked:
            name = storage.save(f"referrals/{uuid.uuid4().hex}.{file_type.extension}", File(stream))
            stored.append(
                ReferralAttachment(
                    content_type=file_type.content_type,
                    size=storage.size(name),
                    sha256=digest,
                    storage_name=name,
                )
            )
    except BaseException:
        _unstore(stored)
        raise
    return stored


def _unstore(attachments: list[ReferralAttachment]) -> None:
    storage = document_storage()
    for attachment in attachments:
        storage.delete(attachment.storage_name)


def receive_referral(
    clinic: Any, data: IncomingReferral, *, ctx: AuditContext
) -> tuple[Referral, bool]:
    """A referral from the public form: a lead (marked heard-about "a doctor") linked to the
    referring doctor, with its attachments. Returns (referral, created); a double submit returns
    the first referral and stores nothing new."""
    _check_doctor(data.doctor)
    recent = (
        Referral.objects.filter(
            clinic=clinic,
            lead__email=data.email,
            doctor__npi=data.doctor.npi,
            received_at__gte=timezone.now() - DOUBLE_SUBMIT_WINDOW,
        )
        .order_by("-received_at")
        .first()
    )
    if recent is not None:
        return recent, False
    attachments = _store(data.attachments)
    try:
        with transaction.atomic():
            doctor, new_doctor = _find_or_add_doctor(clinic, data.doctor)
            lead, new_lead = _find_or_add_lead(clinic, data)
            referral = Referral.objects.create(
                clinic=clinic,
                lead=lead,
                doctor=doctor,
                patient_last_name=data.last_name,
                patient_date_of_birth=data.date_of_birth,
                reason=data.reason,
            )
            for attachment in attachments:
                attachment.referral = referral
            ReferralAttachment.objects.bulk_create(attachments)
            record(
                REFERRAL_RECEIVED,
                ctx=ctx,
                clinic=clinic,
                obj=referral,
                details={
                    "lead": lead.pk,
                    "new_lead": new_lead,
                    "doctor": doctor.pk,
                    "new_doctor": new_doctor,
                    "attachments": len(attachments),
                },
            )
    except BaseException:
        _unstore(attachments)
        raise
    return referral, True


def record_spam(clinic: Any, *, reason: str, ctx: AuditContext) -> None:
    record(REFERRAL_SPAM_REFUSED, ctx=ctx, clinic=clinic, details={"reason": reason})


def file_referral_documents(
    patient: Patient, referral: Referral, *, actor: Any, ctx: AuditContext
) -> int:
    """Copy the referral's files into the patient's documents (kind "referral letter"), once:
    the documents app keeps one copy of the same bytes per patient. Returns how many were new.
    The referral must be the patient's own (through the converted lead)."""
    from annulus.documents.actions import add_document
    from annulus.documents.models import Kind

    if referral.lead.patient_id != patient.pk:
        raise ReferralError(None, "Referral: it belongs to another person.")
    storage = document_storage()
    added = 0
    for attachment in referral.attachments.all():
        with storage.open(attachment.storage_name, "rb") as handle:
            _document, created = add_document(
                patient,
                handle,
                kind=Kind.REFERRAL_LETTER,
                title=f"Sent with referral {referral.pk} by {referral.doctor.name}"[:200],
                actor=actor,
                ctx=ctx,
            )
        added += int(created)
    return added
