"""`annulus export-case`: the record's case file, which `annulus evaluate` must accept."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from annulus.audit.models import AuditEvent
from annulus.candidacy.actions import clinic_today
from annulus.candidacy.case_builder import build_case
from annulus.candidacy.tests.record_helpers import candidate_record

pytestmark = pytest.mark.django_db


def export(*args):
    out, err = StringIO(), StringIO()
    call_command("export_case", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def evaluate_file(path):
    """`annulus evaluate FILE --format json` in a separate process, as a user would run it.

    Under version 1: the record does not carry the spec §6.1 facts yet (issue 12, part 3).
    """
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "annulus.cli",
            "evaluate",
            str(path),
            "--format",
            "json",
            "--protocol",
            "annulus-default@1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_it_writes_the_case_file_to_stdout(clinic):
    patient = candidate_record(clinic)

    out, _ = export(str(patient.pk))

    assert json.loads(out) == json.loads(json.dumps(build_case(patient, clinic_today(patient))))
    event = AuditEvent.objects.get(action="candidacy.case_export")
    assert event.patient_id == patient.pk
    assert event.details == {"assessed_on": clinic_today(patient).isoformat(), "target": "stdout"}


def test_it_writes_a_file_for_a_given_day_that_annulus_evaluate_accepts(clinic, tmp_path):
    patient = candidate_record(clinic)
    path = tmp_path / "case.json"
    day = clinic_today(patient)

    export(str(patient.pk), "--on", day.isoformat(), "-o", str(path))
    result = evaluate_file(path)

    assert json.loads(path.read_text())["assessed_on"] == day.isoformat()
    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)
    assert decision["case_id"] == f"patient-{patient.pk}"
    assert decision["outcome"] == "candidate"


def test_all_writes_one_file_per_patient_and_each_evaluates(clinic, tmp_path):
    ready = [
        candidate_record(clinic),
        candidate_record(clinic, discography=False, odi=None),
        candidate_record(clinic, intake=False, imaging=False),
        candidate_record(clinic, fever=True),
    ]
    not_ready = candidate_record(clinic, born=None)

    out, err = export("--all", str(tmp_path / "cases"))

    files = sorted((tmp_path / "cases").glob("*.json"))
    assert [f.name for f in files] == sorted(f"patient-{p.pk}.json" for p in ready)
    assert f"patient {not_ready.pk}: skipped: Add the patient's date of birth" in err
    assert "Wrote 4 case files" in out and "skipped 1" in out
    outcomes = set()
    for path in files:
        result = evaluate_file(path)
        assert result.returncode == 0, (path.name, result.stderr)
        outcomes.add(json.loads(result.stdout)["outcome"])
    assert outcomes == {"candidate", "needs_more_information", "urgent_referral"}
    # One audit event per chunk of patients, naming them (ids only).
    [event] = AuditEvent.objects.filter(action="candidacy.case_export")
    assert sorted(event.details["patient_ids"]) == sorted(p.pk for p in ready)


def test_it_names_no_patient_in_its_messages(clinic, tmp_path):
    candidate_record(clinic, born=None, first="Zebedee")

    out, err = export("--all", str(tmp_path))

    assert "Zebedee" not in out + err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["999999"], "no patient with id 999999"),
        ([], "give either PATIENT_ID or --all DIR"),
        (["1", "--on", "1 May"], "--on: write the day as YYYY-MM-DD"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(args, message):
    with pytest.raises(CommandError, match=message) as raised:
        export(*args)

    assert raised.value.returncode == 2


def test_a_patient_whose_case_cannot_be_built_exits_2(clinic):
    patient = candidate_record(clinic, born=None)

    with pytest.raises(CommandError, match="date of birth") as raised:
        export(str(patient.pk))

    assert raised.value.returncode == 2
    assert not AuditEvent.objects.filter(action="candidacy.case_export").exists()
