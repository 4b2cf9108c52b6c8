"""The research export on the demo clinic: checked, written, audited; stopped when it leaks."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from annulus.audit.context import AuditContext
from annulus.audit.models import AuditEvent
from annulus.patients import demo
from annulus.research.actions import ExportBlocked, run_research_export
from annulus.research.models import ResearchExport, StudyId

CTX = AuditContext.system("test")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_it_exports_the_demo_and_passes_its_own_checker(demo_clinic: Any, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("research_export", str(tmp_path / "rx"), stdout=out)
    assert "Checker: no identifiers found." in out.getvalue()
    folder = tmp_path / "rx"
    patients = _rows(folder / "patients.csv")
    assert len(patients) == len(demo.PATIENTS)
    keys = dict(StudyId.objects.values_list("study_id", "patient_id"))
    assert {row["study_id"] for row in patients} == set(keys)
    assert "patient_id" not in patients[0] and "first_name" not in patients[0]
    dictionary = _rows(folder / "data_dictionary.csv")
    described = {(d["table"], d["column"]) for d in dictionary}
    for path in folder.glob("*.csv"):
        if path.name == "data_dictionary.csv":
            continue
        header = next(csv.reader(path.open()))
        assert {(path.stem, column) for column in header} <= described
    run = ResearchExport.objects.get()
    assert not run.blocked and run.row_counts["patients"] == len(demo.PATIENTS)
    event = AuditEvent.objects.get(action="research.export")
    assert event.details["rows"]["patients"] == len(demo.PATIENTS)


def test_it_stops_an_export_into_which_a_name_was_leaked(demo_clinic: Any, tmp_path: Path) -> None:
    from annulus.patients.models import Patient

    patient = Patient.objects.filter(clinic=demo_clinic).first()
    assert patient is not None

    def leak(tables: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
        tables["patients"][0]["stage"] = patient.last_name
        return tables

    with pytest.raises(ExportBlocked) as blocked:
        run_research_export(
            actor=None, ctx=CTX, clinic=demo_clinic, folder=tmp_path / "rx", transform=leak
        )
    classes = {f.cls for f in blocked.value.findings}
    assert "A" in classes  # the name itself, known to the clinic
    assert not (tmp_path / "rx").exists(), "nothing may be written"
    run = ResearchExport.objects.get()
    assert run.blocked and run.findings[0]["table"] == "patients"
    event = AuditEvent.objects.get(action="research.export.blocked")
    assert patient.last_name not in str(event.details)


@pytest.mark.parametrize(
    ("table", "column", "value", "cls"),
    [
        ("patients", "birth_year", "1950-04-02", "C"),
        ("outcomes", "time_point", "call 312-555-0199", "D"),
        ("patients", "age_at_index", "93", "C"),
        ("patients", "zip3", "60614", "R"),
        ("patients", "email", "x@y.org", "R"),
    ],
)
def test_it_stops_other_identifier_classes(
    demo_clinic: Any, tmp_path: Path, table: str, column: str, value: str, cls: str
) -> None:
    def leak(tables: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
        tables[table][0][column] = value
        return tables

    with pytest.raises(ExportBlocked) as blocked:
        run_research_export(
            actor=None, ctx=CTX, clinic=demo_clinic, folder=tmp_path / "rx", transform=leak
        )
    assert cls in {f.cls for f in blocked.value.findings}


def test_it_keeps_canaries_in_the_database_out_of_the_files(
    demo_clinic: Any, tmp_path: Path
) -> None:
    from datetime import date

    from annulus.clinical.models import AdverseEvent, MRIStudy
    from annulus.patients.models import Intake, Patient

    canary = Patient.objects.create(
        clinic=demo_clinic,
        first_name="Qxcanaryfirst",
        last_name="Zvcanarylast",
        email="qx.canary@canary.example",
        phone="(555) 014-2768",
        date_of_birth=date(1931, 2, 17),  # 90+ at any index date now
    )
    note = "Qxcanaryfirst Zvcanarylast, 4412 Zvcanarylast Street, (555) 014-2768"
    Intake.objects.create(patient=canary, symptom_notes=note, medications=note, odi=40)
    MRIStudy.objects.create(patient=canary, study_date=date(2026, 3, 9), report_reference=note)
    AdverseEvent.objects.create(
        patient=canary, onset_on=date(2026, 4, 1), description=note, related=False, serious=False
    )
    result = run_research_export(actor=None, ctx=CTX, clinic=demo_clinic, folder=tmp_path)
    text = "\n".join(p.read_text() for p in result.files).lower()
    # Study ids are random hex, so a digit run such as "4412" can turn up inside one by chance
    # (CI once drew "s5acd441229"); they carry nothing from the record, so they are blanked first.
    text = re.sub(r"\bs[0-9a-f]{10}\b", "s-id", text)
    for secret in ("qxcanaryfirst", "zvcanarylast", "qx.canary", "014-2768", "4412", "1931",
                   "2026-03-09", "2026-04-01"):  # fmt: skip
        assert secret not in text, secret
    sid = StudyId.objects.get(patient=canary).study_id
    row = next(r for r in _rows(tmp_path / "patients.csv") if r["study_id"] == sid)
    assert row["age_at_index"] == "90+" and row["birth_year"] == ""


def test_it_writes_parquet(demo_clinic: Any, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    run_research_export(actor=None, ctx=CTX, clinic=demo_clinic, folder=tmp_path, fmt="parquet")
    assert pq.read_table(tmp_path / "patients.parquet").num_rows == len(demo.PATIENTS)


def test_it_refuses_a_folder_that_is_not_empty(demo_clinic: Any, tmp_path: Path) -> None:
    (tmp_path / "old.csv").write_text("x")
    with pytest.raises(CommandError, match="dir"):
        call_command("research_export", str(tmp_path), stdout=io.StringIO())
