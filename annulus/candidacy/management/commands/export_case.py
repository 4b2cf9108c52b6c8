"""`annulus export-case`: write a patient's case file (spec §1), built from the record.

    annulus export-case PATIENT_ID [--on YYYY-MM-DD] [-o FILE]    one case, stdout by default
    annulus export-case --all DIR [--on YYYY-MM-DD] [--clinic SLUG] [--jobs N] [--progress]
                                                    one <case_id>.json each

Every file written has passed the engine's own validation, so `annulus evaluate FILE` accepts
it. A patient whose case cannot be built (no date of birth, say) is skipped with the reason on
stderr; only ids are printed. Each export is audited (ids and the day only): with --all, one
event per chunk of 1,000 patients naming them. Cases are built a chunk at a time with their
records prefetched (``candidacy/bulk.py``), over --jobs worker processes if asked; a progress
bar goes to stderr when it is a terminal (a line per chunk with --progress otherwise).
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annulus.accounts.models import Clinic
from annulus.audit.context import AuditContext
from annulus.candidacy.actions import clinic_today, record_case_export
from annulus.candidacy.bulk import (
    Progress,
    add_bulk_arguments,
    jobs_or_error,
    map_chunks,
    record_case_exports,
)
from annulus.candidacy.case_builder import CaseNotReady, Records, build_case
from annulus.candidacy.case_json import case_json
from annulus.candidacy.engine import CaseError, parse_case
from annulus.patients.models import Patient

USAGE_ERROR = 2


def parse_day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--on: write the day as YYYY-MM-DD (got {value!r})", returncode=USAGE_ERROR
        ) from None


def case_text(patient: Patient, day: date, records: Records | None = None) -> tuple[str, str]:
    """(case_id, the case file as JSON text); raises CaseNotReady or CaseError when there is
    no case to give."""
    case = build_case(patient, day, records)
    text = case_json(case) + "\n"
    parse_case(text)  # the engine's own check: what we write, `annulus evaluate` accepts
    return case["case_id"], text


def why_not(exc: CaseNotReady | CaseError) -> str:
    if isinstance(exc, CaseError):
        return "the case file is refused: " + "; ".join(str(i) for i in exc.issues[:5])
    return str(exc)


class Command(BaseCommand):
    help = "Write a patient's candidacy case file (or one per patient with --all DIR)."
    # A read-only export: Django's system checks (templates, URLs) cost more than a small run.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("patient_id", nargs="?", type=int, help="the patient's record id")
        parser.add_argument("--all", metavar="DIR", help="write one <case_id>.json per patient")
        parser.add_argument("--on", metavar="YYYY-MM-DD", help="assessment day (default: today)")
        parser.add_argument("-o", "--output", metavar="FILE", help="write here, not stdout")
        parser.add_argument("--clinic", metavar="SLUG", help="with --all: only this clinic")
        add_bulk_arguments(parser)

    def handle(self, *args: Any, **opts: Any) -> None:
        day = parse_day(opts["on"])
        if (opts["patient_id"] is None) == (opts["all"] is None):
            raise CommandError("give either PATIENT_ID or --all DIR", returncode=USAGE_ERROR)
        if opts["all"] is not None:
            if opts["output"]:
                raise CommandError("--all writes into DIR; -o is for one patient")
            self.export_all(Path(opts["all"]), day, opts["clinic"], opts)
            return
        patient = Patient.objects.select_related("clinic").filter(pk=opts["patient_id"]).first()
        if patient is None:
            raise CommandError(f"no patient with id {opts['patient_id']}", returncode=USAGE_ERROR)
        on = day or clinic_today(patient)
        try:
            _, text = case_text(patient, on)
        except (CaseNotReady, CaseError) as exc:
            raise CommandError(
                f"patient {patient.pk}: {why_not(exc)}", returncode=USAGE_ERROR
            ) from None
        if opts["output"]:
            Path(opts["output"]).write_text(text, encoding="utf-8")
            record_case_export(patient, assessed_on=on, target="file")
        else:
            self.stdout.write(text, ending="")
            record_case_export(patient, assessed_on=on, target="stdout")

    def export_all(
        self, folder: Path, day: date | None, clinic_slug: str | None, opts: dict[str, Any]
    ) -> None:
        jobs = jobs_or_error(opts["jobs"])
        patients = Patient.objects.select_related("clinic")
        if clinic_slug:
            clinic = Clinic.objects.filter(slug=clinic_slug).first()
            if clinic is None:
                raise CommandError(f"--clinic: no clinic {clinic_slug!r}", returncode=USAGE_ERROR)
            patients = patients.filter(clinic=clinic)
        folder.mkdir(parents=True, exist_ok=True)
        written = skipped = 0
        progress = Progress("export-case", patients.count(), self.stderr, asked=opts["progress"])
        ctx = AuditContext.system("export-case")

        def finish(count: int, done: list[Exported], reasons: list[str]) -> None:
            nonlocal written, skipped
            for reason in reasons:
                progress.note(reason)
            skipped += len(reasons)
            written += len(done)
            # One audit event per clinic and chunk, once its files are written, here: workers
            # only read and write files.
            record_case_exports(done, target="directory", ctx=ctx)
            progress.step(count)

        if jobs > 1:
            work = partial(write_chunk, folder=folder, day=day)
            for count, (done, reasons) in map_chunks(patients, work, jobs=jobs):
                finish(count, done, reasons)
        else:
            # One process: a thread writes a chunk's files while the next chunk is read and
            # built (the system calls release the GIL, so the kernel's file-creation work runs
            # on the other core instead of stalling the build).
            with ThreadPoolExecutor(1, thread_name_prefix="export-case-files") as writer:
                waiting: tuple[Future[None], int, list[Exported], list[str]] | None = None
                build = partial(build_chunk, day=day)
                for count, (files, done, reasons) in map_chunks(patients, build):
                    if waiting is not None:
                        waiting[0].result()  # an error writing a file stops the export here
                        finish(*waiting[1:])
                    waiting = (writer.submit(write_files, folder, files), count, done, reasons)
                if waiting is not None:
                    waiting[0].result()
                    finish(*waiting[1:])
        self.stdout.write(f"Wrote {written} case files to {folder}; skipped {skipped}.")


# (patient id, clinic id, assessment day) of a case file written; a file's name and bytes.
Exported = tuple[int, int, date]
CaseFile = tuple[str, bytes]


def build_chunk(
    chunk: list[Patient], records: dict[int, Records], *, day: date | None
) -> tuple[list[CaseFile], list[Exported], list[str]]:
    """A chunk's case files, not yet written: (the files, what each exports, the skipped
    patients' messages)."""
    files, done, skipped = [], [], []
    today: dict[int, date] = {}
    for patient in chunk:
        if day is None and patient.clinic_id not in today:
            today[patient.clinic_id] = clinic_today(patient)
        on = day or today[patient.clinic_id]
        try:
            case_id, text = case_text(patient, on, records[patient.pk])
        except (CaseNotReady, CaseError) as exc:
            skipped.append(f"patient {patient.pk}: skipped: {why_not(exc)}")
            continue
        files.append((f"{Path(case_id).name}.json", text.encode()))
        done.append((patient.pk, patient.clinic_id, on))
    return files, done, skipped


def write_files(folder: Path, files: list[CaseFile]) -> None:
    """Write each file (created, or replaced) with the flags and mode ``Path.write_bytes``
    uses, through the plain system calls: no path object or file object per file."""
    base = os.fspath(folder)
    for name, data in files:
        fd = os.open(os.path.join(base, name), _WRITE_FLAGS, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)


_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)


def write_chunk(
    chunk: list[Patient], records: dict[int, Records], *, folder: Path, day: date | None
) -> tuple[list[Exported], list[str]]:
    """Write a chunk's case files (in a worker process with --jobs): (what each file written
    exports, the skipped patients' messages)."""
    files, done, skipped = build_chunk(chunk, records, day=day)
    write_files(folder, files)
    return done, skipped
