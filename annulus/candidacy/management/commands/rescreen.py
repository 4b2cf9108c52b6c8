"""`annulus rescreen`: whose decision would change under another protocol version?

    annulus rescreen --protocol ID@VERSION [--apply] [--clinic SLUG] [--names]
                     [--jobs N] [--progress]

For every patient, the case of their latest stored evaluation (or, with none, a case built from
the record today) is evaluated under the given protocol. Patients whose outcome would change are
listed as `patient <id>: old → new`; names only with --names. A dry run unless --apply, which
stores a new evaluation for each of them (awaiting a clinician's review) and audits each.
Exit status 2 for an unknown protocol or clinic.

Patients are read a chunk of 1,000 at a time (``candidacy/bulk.py``), over --jobs worker
processes if asked; the output is the same, in patient order. A progress bar goes to stderr
when it is a terminal (a line per chunk with --progress otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import OuterRef, Subquery

from annulus.accounts.models import Clinic
from annulus.candidacy.actions import clinic_today, record_rescreen_preview, record_rescreens
from annulus.candidacy.bulk import CHUNK, Progress, add_bulk_arguments, jobs_or_error, map_chunks
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
from annulus.candidacy.models import Evaluation, Review
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


@dataclass
class Checked:
    """One patient's result, as a worker process hands it back: its stdout line when the
    outcome would change, or why it was skipped; with --apply, what to store."""

    patient_id: int
    line: str = ""
    skipped: str = ""
    previous_id: int | None = None
    case: dict[str, Any] | None = None


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
        add_bulk_arguments(parser)

    def handle(self, *args: Any, **opts: Any) -> None:
        jobs = jobs_or_error(opts["jobs"])
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
        progress = Progress("rescreen", checked, self.stderr, asked=opts["progress"])
        changes: list[Checked] = []
        skipped = 0
        work = partial(self.check_chunk, protocol=protocol, names=opts["names"], keep=opts["apply"])
        for count, results in map_chunks(patients, work, jobs=jobs):
            for found in results:
                if found.skipped:
                    progress.note(f"patient {found.patient_id}: skipped: {found.skipped}")
                    skipped += 1
                else:
                    changes.append(found)
                    self.stdout.write(found.line)
            progress.step(count)

        where = f"{protocol.id}@{protocol.version}"
        summary = f"{len(changes)} of {checked} patients would change under {where}"
        if skipped:
            summary += f" ({skipped} skipped)"
        if not opts["apply"]:
            record_rescreen_preview(
                protocol=protocol,
                clinic=clinic,
                checked=checked,
                changed=[c.patient_id for c in changes],
                skipped=skipped,
            )
            self.stdout.write(
                f"{summary}. Dry run: nothing stored. Add --apply to store new evaluations."
            )
            return
        self.store(changes, protocol)
        self.stdout.write(
            f"{summary}. Stored {len(changes)} new evaluations, each awaiting a clinician's review."
        )

    def check_chunk(
        self,
        chunk: list[Patient],
        records: dict[int, Records],
        *,
        protocol: Protocol,
        names: bool,
        keep: bool,
    ) -> list[Checked]:
        """The changed and skipped patients of a chunk (run in a worker process with --jobs)."""
        # The chunk's stored evaluations in one query; its records came with it. Not their
        # decisions: the largest JSON of the row, and nothing here reads it.
        previous = Evaluation.objects.defer("decision").in_bulk(
            [p.latest_evaluation for p in chunk if p.latest_evaluation]  # type: ignore[attr-defined]
        )
        today: dict[int, date] = {}
        results = []
        for patient in chunk:
            evaluation = previous.get(patient.latest_evaluation)  # type: ignore[attr-defined]
            if patient.clinic_id not in today:
                today[patient.clinic_id] = clinic_today(patient)
            change, reason = self.rescreen(
                patient, evaluation, protocol, records[patient.pk], today[patient.clinic_id]
            )
            if reason:
                results.append(Checked(patient.pk, skipped=reason))
            elif change is not None:
                results.append(
                    Checked(
                        patient.pk,
                        line=self.line(change, names),
                        previous_id=evaluation.pk if evaluation else None,
                        case=change.case if keep else None,
                    )
                )
        return results

    def store(self, changes: list[Checked], protocol: Protocol) -> None:
        """A new evaluation for each change, audited each, in patient order: a chunk of 1,000
        in one transaction (one INSERT of the evaluations, then their audit events)."""
        for start in range(0, len(changes), CHUNK):
            part = changes[start : start + CHUNK]
            patients = Patient.objects.select_related("clinic").in_bulk(
                [c.patient_id for c in part]
            )
            previous = Evaluation.objects.in_bulk([c.previous_id for c in part if c.previous_id])
            chunk = []
            for change in part:
                assert change.case is not None
                earlier = previous.get(change.previous_id) if change.previous_id else None
                chunk.append((patients[change.patient_id], change.case, earlier))
            record_rescreens(chunk, protocol=protocol)

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
