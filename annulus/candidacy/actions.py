"""Every write of candidacy in the record: one function each, one transaction, one audit event.

Views and commands parse and authorize, then call one of these. Audit details hold ids and
codes only (never names, dates of birth or the clinician's free text).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from annulus.audit.actions import (
    CANDIDACY_CASE_EXPORT,
    CANDIDACY_EVALUATE,
    CANDIDACY_OVERRIDE_COSIGNED,
    CANDIDACY_RESCREEN,
    CANDIDACY_RESCREEN_PREVIEW,
)
from annulus.audit.context import AuditContext
from annulus.audit.record import record
from annulus.candidacy.case_builder import build_case
from annulus.candidacy.clinic_protocol import clinic_protocol
from annulus.candidacy.engine import OUTCOMES, Protocol, evaluate, parse_case
from annulus.candidacy.models import (
    URGENT_OVERRIDE_REASONS,
    Evaluation,
    OverrideReason,
    Review,
    Source,
)
from annulus.lib.clock import clinic_today
from annulus.patients.actions import change_stage
from annulus.patients.models import Patient, Stage

# A reviewed decision moves a patient in work-up to "decision"; later stages are never undone.
STAGES_BEFORE_DECISION = (Stage.NEW, Stage.WORK_UP)


class AlreadyReviewed(Exception):
    """The evaluation was accepted or overridden before (a double click, or a colleague)."""

    def __init__(self, evaluation: Evaluation) -> None:
        super().__init__(f"evaluation {evaluation.pk} is already {evaluation.review}")
        self.evaluation = evaluation


def record_evaluation(
    patient: Patient,
    *,
    protocol: Protocol | None = None,
    assessed_on: date | None = None,
    user: Any = None,
    request: HttpRequest | None = None,
    case: dict[str, Any] | None = None,
    source: Source = Source.RECORD,
    previous: Evaluation | None = None,
) -> Evaluation:
    """Build the case from the record (unless `case` is given), run `protocol`, store the result.

    Without `protocol`, the clinic's chosen one (`clinic_protocol`, the director's setting).

    The stored evaluation keeps the protocol's id, version and sha256, the exact case it read and
    the decision (spec §3 JSON), who ran it and when; its review starts `pending`.
    Raises `CaseNotReady` when the record lacks what every case needs (the date of birth) and
    `CaseError` when the engine refuses the case; nothing is stored then.
    """
    if protocol is None:  # the clinic's chosen protocol (the director's setting)
        protocol = clinic_protocol(patient.clinic)
    with transaction.atomic():
        if case is None:
            case = build_case(patient, assessed_on or clinic_today(patient))
        evaluation = _evaluation(patient, protocol, case, source=source, user=user)
        evaluation.save()
        record(
            CANDIDACY_RESCREEN if source == Source.RESCREEN else CANDIDACY_EVALUATE,
            request=request,
            actor=user,
            clinic=patient.clinic,
            patient_id=patient.pk,
            obj=evaluation,
            details=_details(evaluation, protocol, previous),
        )
    return evaluation


def record_rescreens(
    changes: list[tuple[Patient, dict[str, Any], Evaluation | None]], *, protocol: Protocol
) -> list[Evaluation]:
    """`record_evaluation(patient, protocol=protocol, case=case, source=RESCREEN,
    previous=previous)` for each (patient, case, previous) of a rescreen chunk, in one
    transaction: the evaluations in one INSERT, then each one's audit event, in order.

    The same rows and audit events as one action each; all or none of the chunk is stored.
    Raises `CaseError` (nothing stored) when the engine refuses a case."""
    evaluations = [
        _evaluation(patient, protocol, case, source=Source.RESCREEN, user=None)
        for patient, case, _previous in changes
    ]
    with transaction.atomic():
        Evaluation.objects.bulk_create(evaluations)
        for evaluation, (_patient, _case, previous) in zip(evaluations, changes, strict=True):
            record(
                CANDIDACY_RESCREEN,
                clinic=evaluation.patient.clinic,
                patient_id=evaluation.patient_id,
                obj=evaluation,
                details=_details(evaluation, protocol, previous),
            )
    return evaluations


def _evaluation(
    patient: Patient, protocol: Protocol, case: dict[str, Any], *, source: Source, user: Any
) -> Evaluation:
    """The evaluation of `case` under `protocol`, not yet stored. Raises `CaseError`."""
    parsed = parse_case(case)
    decision = evaluate(parsed, protocol)
    return Evaluation(
        patient=patient,
        protocol_id=protocol.id,
        protocol_version=protocol.version,
        protocol_sha256=protocol.sha256,
        assessed_on=parsed.assessed_on,
        case_snapshot=case,
        decision=decision.to_dict(),
        outcome=decision.outcome,
        evaluated_by=user,
        source=source,
        judged_criteria=sorted({c.id for c in decision.criteria if c.status != "not_applicable"}),
    )


def _details(
    evaluation: Evaluation, protocol: Protocol, previous: Evaluation | None
) -> dict[str, Any]:
    """The audit event's details: what was stored, and the evaluation it replaces."""
    details: dict[str, Any] = {
        "evaluation": evaluation.pk,
        "protocol": protocol.id,
        "version": protocol.version,
        "outcome": evaluation.outcome,
        "source": str(evaluation.source),
    }
    if previous is not None:
        details["previous_evaluation"] = previous.pk
        details["previous_outcome"] = previous.outcome
    return details


def accept_evaluation(
    evaluation: Evaluation, *, user: Any, request: HttpRequest | None = None
) -> Evaluation:
    """The clinician agrees with the protocol. Refused with `AlreadyReviewed` the second time."""
    return _review(evaluation, user=user, request=request, review=Review.ACCEPTED, changes={})


def override_evaluation(
    evaluation: Evaluation,
    *,
    user: Any,
    reason: str,
    outcome: str,
    criteria: Iterable[str] = (),
    note: str = "",
    request: HttpRequest | None = None,
) -> Evaluation:
    """The clinician decides otherwise: a coded reason, the outcome they chose, the criteria
    they disagree with, and free text (required when the reason is "other").

    The form checks all this with friendly messages; the checks here keep any other caller honest.
    """
    if reason not in OverrideReason.values:
        raise ValueError(f"reason: unknown override reason {reason!r}")
    if reason == OverrideReason.OTHER and not note.strip():
        raise ValueError("note: explain the override when the reason is 'other'")
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome: unknown outcome {outcome!r}")
    urgent = evaluation.outcome == "urgent_referral"
    if urgent and reason not in URGENT_OVERRIDE_REASONS:
        raise ValueError(
            "reason: an urgent referral may be overridden only for a data entry error or new "
            "information"
        )
    criteria = sorted(set(criteria))
    unknown = set(criteria) - set(evaluation.judged_criteria)
    if unknown:
        raise ValueError(f"criteria: not judged in this evaluation: {', '.join(sorted(unknown))}")
    changes = {
        "override_reason": reason,
        "override_outcome": outcome,
        "override_note": note.strip(),
        "overridden_criteria": criteria,
    }
    # An urgent referral's override waits for a second clinician (`cosign_override`).
    review = Review.TO_COSIGN if urgent else Review.OVERRIDDEN
    return _review(evaluation, user=user, request=request, review=review, changes=changes)


class CosignRefused(Exception):
    pass


def cosign_override(
    evaluation: Evaluation, *, user: Any, request: HttpRequest | None = None
) -> Evaluation:
    """A second clinician co-signs an urgent referral's override, which then takes effect.

    The clinician who made the override cannot co-sign it. A second co-signature changes
    nothing (`AlreadyReviewed`).
    """
    if evaluation.reviewed_by_id == getattr(user, "pk", None):
        raise CosignRefused("A second clinician must co-sign: not the one who made the override.")
    with transaction.atomic():
        now = timezone.now()
        updated = (
            Evaluation.objects.filter(pk=evaluation.pk, review=Review.TO_COSIGN)
            .exclude(reviewed_by=user)
            .update(review=Review.OVERRIDDEN, cosigned_by=user, cosigned_at=now)
        )
        evaluation.refresh_from_db()
        if not updated:
            raise AlreadyReviewed(evaluation)
        record(
            CANDIDACY_OVERRIDE_COSIGNED,
            request=request,
            actor=user,
            clinic=evaluation.patient.clinic,
            patient_id=evaluation.patient_id,
            obj=evaluation,
            details={"evaluation": evaluation.pk, "outcome": evaluation.outcome},
        )
    return evaluation


def _review(
    evaluation: Evaluation,
    *,
    user: Any,
    request: HttpRequest | None,
    review: Review,
    changes: dict[str, Any],
) -> Evaluation:
    patient = evaluation.patient
    with transaction.atomic():
        now = timezone.now()
        # Only a pending evaluation can be reviewed, decided by the database: of two clicks
        # (or two colleagues) exactly one update matches.
        updated = Evaluation.objects.filter(pk=evaluation.pk, review=Review.PENDING).update(
            review=review, reviewed_by=user, reviewed_at=now, **changes
        )
        evaluation.refresh_from_db()
        if not updated:
            raise AlreadyReviewed(evaluation)
        details: dict[str, Any] = {"evaluation": evaluation.pk, "outcome": evaluation.outcome}
        if review in (Review.OVERRIDDEN, Review.TO_COSIGN):
            details.update(
                reason=changes["override_reason"],
                chosen_outcome=changes["override_outcome"],
                criteria=changes["overridden_criteria"],
            )
        if patient.stage in STAGES_BEFORE_DECISION:
            details["stage"] = [patient.stage, Stage.DECISION.value]
            change_stage(
                patient,
                Stage.DECISION,
                actor=user,
                ctx=AuditContext.from_request(request) if request else AuditContext(),
                reason=f"candidacy.{review.value}",
            )
        record(
            f"candidacy.{review.value}",
            request=request,
            actor=user,
            clinic=patient.clinic,
            patient_id=patient.pk,
            obj=evaluation,
            details=details,
        )
    return evaluation


def record_case_export(
    patient: Patient, *, assessed_on: date, target: str, actor: Any = None
) -> None:
    """Audit that a patient's case file left the database (`target`: stdout, file, directory)."""
    record(
        CANDIDACY_CASE_EXPORT,
        actor=actor,
        clinic=patient.clinic,
        patient_id=patient.pk,
        obj=patient,
        details={"assessed_on": assessed_on.isoformat(), "target": target},
    )


def record_rescreen_preview(
    *, protocol: Protocol, clinic: Any, checked: int, changed: list[int], skipped: int
) -> None:
    """Audit a dry-run re-screen: it read every patient's latest case, and changed nothing.
    One event per run, naming (by id) the patients whose decision would change."""
    record(
        CANDIDACY_RESCREEN_PREVIEW,
        clinic=clinic,
        details={
            "protocol": protocol.id,
            "version": protocol.version,
            "checked": checked,
            "changed": len(changed),
            "skipped": skipped,
            "patient_ids": changed,
        },
    )
