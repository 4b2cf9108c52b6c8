"""`annulus rescreen`: whose decision would change under another protocol version?

    annulus rescreen --protocol ID@VERSION [--apply] [--clinic SLUG] [--names]

For every patient, the case of their latest stored evaluation (or, with none, a case built from
the record today) is evaluated under the given protocol. Patients whose outcome would change are
listed as `patient <id>: old → new`; names only with --names. A dry run unless --apply, which
stores a new evaluation for each of them (awaiting a clinician's review) and audits each.
Exit status 2 for an unknown protocol or clinic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import OuterRef, Subquery

from annulus.accounts.models import Clinic
from annulus.candidacy.actions import clinic_today, record_evaluation, record_rescreen_preview
from annulus.candidacy.bulk import Progress, chunks
from annulus.candidacy.case_builder import CaseNotReady, Records, build_case
from annulus.candidacy.engine import (
    CaseError,
    Protocol,
    ProtocolError,
    UnknownProtocolError,
    evaluate,
    parse_case,
    resolve_protocol,
)
from annulus.candidacy.models import Evaluation, Review, Source
from annulus.patients.models import Patient

USAGE_ERROR = 2


@dataclass
class Change:
    patient: Patient
    previous: Evaluation | None
    case: dict[str, Any]
    new_outcome: str

    @property
    def old_outcome(self) -> str:
        return self.previous.outcome if self.previous else "none"


class Command(BaseCommand):
    help = "List patients whose candidacy decision would change under another protocol version."
    # Django's system checks (templates, URLs) cost more than a small registry's whole run.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--protocol", required=True, metavar="ID@VERSION")
        parser.add_argument(
            "--apply", action="store_true", help="store the new evaluations (review pending)"
        )
        parser.add_argument("--clinic", metavar="SLUG", help="only this clinic's patients")
        parser.add_argument("--names", action="store_true", help="print patients' names too")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            protocol = resolve_protocol(opts["protocol"])
        except UnknownProtocolError as exc:
            raise CommandError(f"--protocol: {exc}", returncode=USAGE_ERROR) from None
        except ProtocolError as exc:
            raise CommandError(f"--protocol: broken protocol file: {exc}") from None
        clinic = None
        patients = Patient.objects.select_related("clinic")
        if opts["clinic"]:
            clinic = Clinic.objects.filter(slug=opts["clinic"]).first()
            if clinic is None:
                raise CommandError(f"--clinic: no clinic {opts['clinic']!r}", returncode=2)
            patients = patients.filter(clinic=clinic)
        checked = patients.count()
        latest = Evaluation.objects.filter(patient=OuterRef("pk")).order_by("-evaluated_at", "-id")
        patients = patients.annotate(latest_evaluation=Subquery(latest.values("pk")[:1]))
        progress = Progress("rescreen", checked, self.stderr)
        changes, skipped = [], 0
        today: dict[int, date] = {}
        # A chunk at a time: its stored evaluations in one query, its records in a few.
        for chunk, records in chunks(patients):
            previous = Evaluation.objects.in_bulk(
                [p.latest_evaluation for p in chunk if p.latest_evaluation]  # type: ignore[attr-defined]
            )
            for patient in chunk:
                evaluation = previous.get(patient.latest_evaluation)  # type: ignore[attr-defined]
                if patient.clinic_id not in today:
                    today[patient.clinic_id] = clinic_today(patient)
                change, reason = self.rescreen(
                    patient, evaluation, protocol, records[patient.pk], today[patient.clinic_id]
                )
                if reason:
                    self.stderr.write(f"patient {patient.pk}: skipped: {reason}")
                    skipped += 1
                elif change is not None:
                    changes.append(change)
                    self.stdout.write(self.line(change, opts["names"]))
            progress.step(len(chunk))

        where = f"{protocol.id}@{protocol.version}"
        summary = f"{len(changes)} of {checked} patients would change under {where}"
        if skipped:
            summary += f" ({skipped} skipped)"
        if not opts["apply"]:
            record_rescreen_preview(
                protocol=protocol,
                clinic=clinic,
                checked=checked,
                changed=len(changes),
                skipped=skipped,
            )
            self.stdout.write(
                f"{summary}. Dry run: nothing stored. Add --apply to store new evaluations."
            )
            return
        for change in changes:
            record_evaluation(
                change.patient,
                protocol=protocol,
                case=change.case,
                source=Source.RESCREEN,
                previous=change.previous,
            )
        self.stdout.write(
            f"{summary}. Stored {len(changes)} new evaluations, each awaiting a clinician's review."
        )

    def rescreen(
        self,
        patient: Patient,
        evaluation: Evaluation | None,
        protocol: Protocol,
        records: Records,
        today: date,
    ) -> tuple[Change | None, str]:
        """(the change, or None when the outcome stays), or (None, why it was skipped)."""
        try:
            if evaluation is not None:
                case = evaluation.case_snapshot
            else:
                case = build_case(patient, today, records)
            outcome = evaluate(parse_case(case), protocol).outcome
        except CaseNotReady as exc:
            return None, str(exc)
        except CaseError as exc:
            return None, "the case is refused: " + "; ".join(str(i) for i in exc.issues[:3])
        if evaluation is not None and evaluation.outcome == outcome:
            return None, ""
        return Change(patient, evaluation, case, outcome), ""

    def line(self, change: Change, names: bool) -> str:
        text = f"patient {change.patient.pk}: {change.old_outcome} → {change.new_outcome}"
        previous = change.previous
        if previous is not None:
            text += (
                f" (evaluation {previous.pk}, {previous.protocol_id}@{previous.protocol_version}"
            )
            if previous.review == Review.OVERRIDDEN:
                text += f"; the clinician decided {previous.override_outcome}"
            text += ")"
        else:
            text += " (no stored evaluation; case built from the record today)"
        if names:
            text += f"  {change.patient.display_name}"
        return text
