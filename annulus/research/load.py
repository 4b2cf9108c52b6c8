"""Read a clinic's records into `PatientRecord`s for the pure table builder."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from annulus.research.checker import KnownIdentifiers
from annulus.research.dataset import PatientRecord


def load_records(clinic: Any) -> tuple[list[PatientRecord], KnownIdentifiers]:
    """Every patient of `clinic` as a record, and the identifiers the clinic holds."""
    from annulus.accounts.models import User
    from annulus.candidacy.models import Evaluation
    from annulus.clinical.models import (
        AdverseEvent,
        AlternativeReferral,
        DiagnosticInjection,
        Discogram,
        FibrinProcedure,
        LevelFinding,
        MRIStudy,
    )
    from annulus.outcomes.models import FollowUp, InstrumentResponse
    from annulus.patients.models import Intake, Patient
    from annulus.scheduling.models import Appointment

    patients = list(Patient.objects.filter(clinic=clinic).order_by("pk").values())
    ids = [p["id"] for p in patients]
    known = KnownIdentifiers()
    for p in patients:
        known.add_person(p["first_name"], p["last_name"], email=p["email"], phone=p["phone"])
    for user in User.objects.filter(memberships__clinic=clinic).distinct():
        known.add_person(user.full_name, email=user.email)
    known.add_person(email=clinic.email, phone=clinic.phone)

    def by_patient(rows: Any) -> dict[int, list[dict[str, Any]]]:
        out: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            out[row["patient_id"]].append(row)
        return out

    intakes = {i["patient_id"]: i for i in Intake.objects.filter(patient_id__in=ids).values()}
    studies = by_patient(MRIStudy.objects.filter(patient_id__in=ids).values())
    findings: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for f in LevelFinding.objects.filter(study__patient_id__in=ids).values():
        findings[f["study_id"]].append(dict(f))
    for rows in studies.values():
        for study in rows:
            study["levels"] = findings.get(study["id"], [])
    discograms = by_patient(Discogram.objects.filter(patient_id__in=ids).values())
    injections = by_patient(DiagnosticInjection.objects.filter(patient_id__in=ids).values())
    procedures = by_patient(FibrinProcedure.objects.filter(patient_id__in=ids).values())
    events = by_patient(AdverseEvent.objects.filter(patient_id__in=ids).values())
    referrals = by_patient(AlternativeReferral.objects.filter(patient_id__in=ids).values())
    evaluations = by_patient(Evaluation.objects.filter(patient_id__in=ids).values())
    arms = dict(FollowUp.objects.filter(patient_id__in=ids).values_list("patient_id", "arm"))
    first_visit: dict[int, Any] = {}
    for pid, start in (
        Appointment.objects.filter(patient_id__in=ids, status__in=["arrived", "booked"])
        .order_by("start")
        .values_list("patient_id", "start")
    ):
        first_visit.setdefault(pid, start.date())
    surveys: dict[int, list[dict[str, Any]]] = defaultdict(list)
    responses = InstrumentResponse.objects.filter(
        response__invitation__follow_up__patient_id__in=ids
    ).values(
        "instrument_id",
        "score",
        "scored_at",
        "response__submitted_at",
        "response__invitation__code",
        "response__invitation__follow_up__patient_id",
    )
    for r in responses:
        surveys[r["response__invitation__follow_up__patient_id"]].append(
            {
                "instrument_id": r["instrument_id"],
                "score": r["score"],
                "time_point": r["response__invitation__code"],
                "on": r["response__submitted_at"] or r["scored_at"],
            }
        )
    records = [
        PatientRecord(
            patient=p,
            first_visit=first_visit.get(p["id"]),
            intake=intakes.get(p["id"]),
            mri=studies.get(p["id"], []),
            discograms=discograms.get(p["id"], []),
            injections=injections.get(p["id"], []),
            procedures=procedures.get(p["id"], []),
            adverse_events=events.get(p["id"], []),
            referrals=referrals.get(p["id"], []),
            surveys=surveys.get(p["id"], []),
            evaluations=evaluations.get(p["id"], []),
            arm=arms.get(p["id"], "none"),
        )
        for p in patients
    ]
    return records, known
