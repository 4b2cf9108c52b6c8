"""Post-procedure check-ins: plan them, send their links, and take the patient's answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import default_task_backend, task

from annulus.audit.actions import CHECK_IN_ANSWERED, CHECK_IN_LINK_ISSUED, CHECK_IN_SCHEDULED
from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.lib.site import site_base
from annulus.lib.tokens import new_token, token_hash
from annulus.notifications.actions import queue_email
from annulus.safety import questions
from annulus.safety.actions.alerts import raise_alert
from annulus.safety.models import DISC_PROCEDURES, Alert, CheckIn, CheckInKind

# Days after the procedure each check-in opens (at 09:00 clinic time), and how long its link lasts.
OPENS_AFTER_DAYS = {CheckInKind.HOURS_72: 2, CheckInKind.WEEKS_2: 14}
LINK_DAYS = 7


def schedule_check_ins(
    patient: Any,
    *,
    procedure_kind: str,
    procedure_ref: str,
    procedure_on: date,
    actor: Any = None,
    ctx: AuditContext,
    now: datetime | None = None,
) -> list[CheckIn]:
    """Plan the 48–72-hour and 2-week check-ins of one procedure (once each), in the caller's
    transaction; each link is emailed when its check-in opens. A procedure recorded so late that
    a check-in's link would already have expired gets no such check-in."""
    made = []
    now = now or datetime.now(UTC)
    with transaction.atomic():
        for kind, days in OPENS_AFTER_DAYS.items():
            opens = datetime.combine(
                procedure_on + timedelta(days=days), time(9), tzinfo=patient.clinic.zone
            )
            if opens + timedelta(days=LINK_DAYS) < now:
                continue
            check_in, created = CheckIn.objects.get_or_create(
                patient=patient,
                procedure_ref=procedure_ref,
                kind=kind,
                defaults={
                    "procedure_kind": procedure_kind,
                    "procedure_on": procedure_on,
                    "opens_at": opens,
                },
            )
            if not created:
                continue
            made.append(check_in)
            record(
                CHECK_IN_SCHEDULED,
                ctx=ctx,
                actor=actor,
                clinic=patient.clinic,
                patient_id=patient.pk,
                obj=check_in,
                details={"kind": kind, "procedure": procedure_kind},
            )
            if default_task_backend.supports_defer:
                transaction.on_commit(_send_later(check_in.pk, check_in.opens_at))
    return made


def _send_later(check_in_id: int, when: datetime) -> Callable[[], object]:
    return lambda: send_check_in.using(run_after=when).enqueue(check_in_id)


def issue_check_in_link(check_in: CheckIn, *, actor: Any = None, ctx: AuditContext) -> str:
    """A new secret link for this check-in (the previous one stops working); shown once."""
    token = new_token()
    with transaction.atomic():
        CheckIn.objects.filter(pk=check_in.pk).update(
            token_hash=token_hash(token),
            link_expires_at=datetime.now(UTC) + timedelta(days=LINK_DAYS),
        )
        record(
            CHECK_IN_LINK_ISSUED,
            ctx=ctx,
            actor=actor,
            clinic=check_in.patient.clinic,
            patient_id=check_in.patient_id,
            obj=check_in,
            details={"kind": check_in.kind},
        )
    check_in.refresh_from_db()
    return token


@task()
def send_check_in(check_in_id: int) -> str:
    """Email the patient their check-in link, unless it is answered or they have no email."""
    check_in = CheckIn.objects.select_related("patient__clinic").filter(pk=check_in_id).first()
    if check_in is None or check_in.answered_at is not None or not check_in.patient.email:
        return "nothing to do"
    patient = check_in.patient
    with transaction.atomic(), translation.override(patient.language or "en"):
        token = issue_check_in_link(check_in, ctx=AuditContext.system("task:send_check_in"))
        # In the patient's language: the words, and the link (/es/check-in/... in Spanish).
        url = site_base() + reverse("check_in:start", args=[token])
        clinic = patient.clinic
        names = {"clinic": clinic.name, "name": patient.first_name}
        queue_email(
            kind="safety.check_in",
            to=patient.email,
            subject=_("%(clinic)s: a few questions about how you are after your procedure") % names,
            body_text=(
                _("Hello %(name)s,") % names
                + "\n\n"
                + _(
                    "Please answer five short questions about how you have been since your "
                    "procedure. It takes a minute: %(url)s"
                )
                % {"url": url}
                + "\n\n"
                + _(
                    "If you feel unwell, do not wait for this email: call us on %(phone)s, or "
                    "go to an emergency department."
                )
                % {"phone": clinic.phone}
                + "\n"
            ),
            clinic=clinic,
            patient_id=check_in.patient_id,
            dedupe_key=f"check_in:{check_in.pk}",
        )
    return "sent"


def answer_check_in(
    check_in: CheckIn, answers: dict[str, bool], *, ctx: AuditContext, language: str = "en"
) -> list[Alert]:
    """Store the patient's answers and raise an alert for each warning sign, in one transaction.

    `language` is the one the questions were read in; it is stored with the answers and named
    in each alert beside the wording version. A second submission of an answered check-in
    changes nothing and returns the open alerts.
    """
    with transaction.atomic():
        current = CheckIn.objects.select_for_update().get(pk=check_in.pk)
        ref = f"checkin:{current.pk}"
        if current.answered_at is not None:
            return list(Alert.objects.filter(source_ref=ref, acknowledged_at__isnull=True))
        current.answers = {q: bool(answers.get(q)) for q in questions.QUESTION_IDS}
        current.answered_at = datetime.now(UTC)
        current.language = language
        current.save(update_fields=["answers", "answered_at", "language"])
        patient = current.patient
        record(
            CHECK_IN_ANSWERED,
            ctx=ctx,
            clinic=patient.clinic,
            patient_id=patient.pk,
            obj=current,
            details={
                "kind": current.kind,
                "language": language,
                "yes": sorted(k for k, v in current.answers.items() if v),
            },
        )
        raised = []
        for sign in questions.alerts_for(
            current.answers, disc_procedure=current.procedure_kind in DISC_PROCEDURES
        ):
            alert = raise_alert(
                patient=patient,
                severity=sign.severity,
                source="survey",
                code=sign.code,
                source_ref=ref,
                answer={
                    "questions": list(sign.questions),
                    "answer": "yes",
                    "wording": questions.WORDING_VERSION,
                    "language": language,
                    "check_in": current.kind,
                },
                ctx=ctx,
            )
            if alert is not None:
                raised.append(alert)
    check_in.answers, check_in.answered_at = current.answers, current.answered_at
    check_in.language = current.language
    return raised
