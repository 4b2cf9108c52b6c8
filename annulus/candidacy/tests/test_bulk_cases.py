"""Bulk case building (``rescreen``, ``export-case --all``): the chunked, row-based path gives
byte for byte what the one-patient path (model instances) gives, whatever the chunk size and
the number of worker processes, in a bounded number of queries."""

from __future__ import annotations

from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from annulus.analytics.synthetic import seed_registry
from annulus.audit.models import AuditEvent
from annulus.candidacy import bulk
from annulus.candidacy.actions import clinic_today, record_evaluation
from annulus.candidacy.case_builder import build_case, load_records
from annulus.candidacy.engine import evaluate, load_protocol, parse_case
from annulus.candidacy.models import Evaluation
from annulus.candidacy.tests.record_helpers import candidate_record, make_patient
from annulus.patients.models import Patient

DAY = date(2026, 12, 1)


def run(command: str, *args: str, err: Any = None) -> tuple[str, str]:
    out, err = StringIO(), err if err is not None else StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def cohort() -> list[Patient]:
    """A small fixed registry (full work-ups, records dated after DAY too), plus the odd cases:
    a patient of another clinic between two of its patients, one with no date of birth, one
    with no intake, and two with a stored evaluation."""
    clinic = seed_registry(24, seed=5, slug="bulk", today=DAY)
    evaluated = [candidate_record(clinic, first="Ada")]
    candidate_record(clinic, intake=False)
    make_patient(clinic, born=None)
    candidate_record(seed_registry(2, seed=6, slug="elsewhere", today=DAY))
    evaluated.append(candidate_record(clinic, fever=True))
    for patient in evaluated:
        record_evaluation(patient, protocol=load_protocol("annulus-default", 1))
    return list(Patient.objects.filter(clinic=clinic).select_related("clinic").order_by("pk"))


@pytest.mark.django_db
def test_rows_in_chunks_build_the_cases_model_instances_build(
    cohort: list[Patient], django_assert_max_num_queries: Any
) -> None:
    ready = [p for p in cohort if p.date_of_birth]
    ids = [p.pk for p in ready]
    # Dense (every other id: a pk range, others' rows dropped) and sparse (an IN list) chunks.
    for chosen in (ids[::2], ids[1::2], ids[::7], [ids[3]]):
        with django_assert_max_num_queries(6):
            records = load_records(chosen)
        assert set(records) == set(chosen)
        for patient in (p for p in ready if p.pk in records):
            assert build_case(patient, DAY, records[patient.pk]) == build_case(patient, DAY)
    cases = [build_case(p, DAY) for p in ready]
    assert sum("discography" in c.get("diagnostics", {}) for c in cases) >= 20
    assert any("symptoms" not in c for c in cases)  # the patient with no intake
    assert load_records([]) == {}


@pytest.mark.django_db
def test_a_chunked_export_writes_the_bytes_of_one_patient_exports(
    cohort: list[Patient], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "CHUNK", 7)
    out, err = run("export_case", "--all", str(tmp_path), "--clinic", "bulk", "--on", "2026-12-01")

    no_birth = next(p for p in cohort if p.date_of_birth is None)
    why = "Add the patient's date of birth: the protocol needs their age."
    assert err == f"patient {no_birth.pk}: skipped: {why}\n"
    assert out == f"Wrote {len(cohort) - 1} case files to {tmp_path}; skipped 1.\n"
    for patient in cohort:
        if patient.date_of_birth is None:
            assert not (tmp_path / f"patient-{patient.pk}.json").exists()
            continue
        one, _ = run("export_case", str(patient.pk), "--on", "2026-12-01")
        assert (tmp_path / f"patient-{patient.pk}.json").read_bytes() == one.encode()
    # One audit event per chunk of 7 (per clinic), naming its exported patients.
    events = AuditEvent.objects.filter(action="candidacy.case_export", details__target="directory")
    named = [pk for event in events.order_by("id") for pk in event.details["patient_ids"]]
    assert named == [p.pk for p in cohort if p.date_of_birth]
    assert events.count() == -(-len(cohort) // 7)


def expected_rescreen_line(patient: Patient, protocol: Any) -> str | None:
    """The line the command printed per patient before chunking, from the one-patient path."""
    previous = Evaluation.objects.filter(patient=patient).order_by("-evaluated_at", "-id").first()
    case = previous.case_snapshot if previous else build_case(patient, clinic_today(patient))
    outcome = evaluate(parse_case(case), protocol).outcome
    if previous is None:
        why = "no stored evaluation; case built from the record today"
        return f"patient {patient.pk}: none → {outcome} ({why})"
    if previous.outcome == outcome:
        return None
    return (
        f"patient {patient.pk}: {previous.outcome} → {outcome} "
        f"(evaluation {previous.pk}, {previous.protocol_id}@{previous.protocol_version})"
    )


@pytest.mark.django_db
def test_a_chunked_rescreen_prints_the_one_patient_lines_in_order(
    cohort: list[Patient], monkeypatch: pytest.MonkeyPatch
) -> None:
    protocol = load_protocol("nct01011816-phase3", 1)
    expected = [expected_rescreen_line(p, protocol) for p in cohort if p.date_of_birth]
    lines = [line for line in expected if line is not None]
    assert len(lines) < len(expected)  # a stored evaluation that stays the same is not listed

    monkeypatch.setattr(bulk, "CHUNK", 4)
    out, err = run("rescreen", "--protocol", "nct01011816-phase3@1", "--clinic", "bulk")

    summary = (
        f"{len(lines)} of {len(cohort)} patients would change under nct01011816-phase3@1"
        " (1 skipped). Dry run: nothing stored. Add --apply to store new evaluations."
    )
    assert out.splitlines() == [*lines, summary]
    assert err.startswith("patient ") and "skipped: Add the patient's date of birth" in err


@pytest.mark.django_db
def test_apply_stores_the_changes_found_in_every_chunk(
    cohort: list[Patient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "CHUNK", 5)
    before = Evaluation.objects.count()
    out, _ = run("rescreen", "--protocol", "nct01011816-phase3@1", "--clinic", "bulk", "--apply")
    changed = len(out.splitlines()) - 1
    assert changed > 20
    assert Evaluation.objects.count() == before + changed
    latest = Evaluation.objects.order_by("-id").first()
    assert latest is not None and latest.source == "rescreen" and latest.protocol_version == 1


@pytest.mark.django_db(transaction=True)
def test_worker_processes_give_the_same_output_and_audit(
    cohort: list[Patient], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "CHUNK", 6)
    args = ("--protocol", "nct01011816-phase3@1", "--clinic", "bulk")
    assert run("rescreen", *args, "--jobs", "3") == run("rescreen", *args)

    run("export_case", "--all", str(tmp_path / "one"), "--on", "2026-12-01", "--clinic", "bulk")
    run("export_case", "--all", str(tmp_path / "two"), "--on", "2026-12-01", "--clinic", "bulk",
        "--jobs", "2")  # fmt: skip
    one = {p.name: p.read_bytes() for p in (tmp_path / "one").iterdir()}
    assert one == {p.name: p.read_bytes() for p in (tmp_path / "two").iterdir()}
    assert len(one) == len(cohort) - 1
    exports = AuditEvent.objects.filter(action="candidacy.case_export").order_by("id")
    events = [event.details["patient_ids"] for event in exports]
    assert events[: len(events) // 2] == events[len(events) // 2 :]


@pytest.mark.django_db
def test_jobs_must_be_one_or_more() -> None:
    with pytest.raises(CommandError, match="--jobs: give a number of processes"):
        run("rescreen", "--protocol", "annulus-default@1", "--jobs", "0")
    with pytest.raises(CommandError, match="--jobs"):
        run("export_case", "--all", "/nonexistent", "--jobs", "-1")


class Terminal(StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.django_db
def test_progress_is_a_bar_on_a_terminal_lines_when_asked_and_silent_otherwise(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seed_registry(12, seed=2, slug="progress", today=DAY)
    monkeypatch.setattr(bulk, "CHUNK", 5)
    args = ("--protocol", "annulus-default@1")
    assert run("rescreen", *args)[1] == ""
    lines = run("rescreen", *args, "--progress")[1].splitlines()
    assert [line.split(" (")[0] for line in lines] == [
        "rescreen: 5/12 patients",
        "rescreen: 10/12 patients",
        "rescreen: 12/12 patients",
    ]
    bar = run("export_case", "--all", str(tmp_path), err=Terminal())[1]
    assert bar.count("\r") == 3 and bar.endswith("/s)\n")
    assert f"\rexport-case {'█' * 30} 12/12 patients" in bar


@pytest.mark.django_db
def test_apply_stores_what_one_evaluation_at_a_time_stored(
    cohort: list[Patient], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chunk's single INSERT gives each change the row and audit event that
    ``record_evaluation`` gives one change: same decision, same details, previous included."""
    protocol = load_protocol("nct01011816-phase3", 1)
    earlier = {e.patient_id: e for e in Evaluation.objects.filter(patient__in=cohort)}
    first = Evaluation.objects.order_by("-id").values_list("id", flat=True).first() or 0
    monkeypatch.setattr(bulk, "CHUNK", 5)
    run("rescreen", "--protocol", "nct01011816-phase3@1", "--clinic", "bulk", "--apply")

    stored = list(Evaluation.objects.filter(id__gt=first).order_by("id"))
    assert [e.patient_id for e in stored] == sorted(e.patient_id for e in stored)
    assert any(e.patient_id in earlier for e in stored)
    for evaluation in stored:
        decision = evaluate(parse_case(evaluation.case_snapshot), protocol)
        assert evaluation.decision == decision.to_dict()
        assert evaluation.outcome == decision.outcome and evaluation.review == "pending"
        assert evaluation.source == "rescreen" and evaluation.evaluated_by is None
        event = AuditEvent.objects.get(action="candidacy.rescreen", object_id=str(evaluation.pk))
        details = {
            "evaluation": evaluation.pk,
            "protocol": "nct01011816-phase3",
            "version": 1,
            "outcome": decision.outcome,
            "source": "rescreen",
        }
        previous = earlier.get(evaluation.patient_id)
        if previous is not None:
            details.update(previous_evaluation=previous.pk, previous_outcome=previous.outcome)
        assert event.details == details and event.patient_id == evaluation.patient_id
