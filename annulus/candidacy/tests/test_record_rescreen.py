"""`annulus rescreen`: whose decision would change under another protocol version."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from annulus.audit.models import AuditEvent
from annulus.candidacy import actions
from annulus.candidacy.engine import load_protocol
from annulus.candidacy.models import Evaluation, Review, Source
from annulus.candidacy.tests.record_helpers import candidate_record
from annulus.testing import make_clinic

pytestmark = pytest.mark.django_db


def rescreen(*args):
    out, err = StringIO(), StringIO()
    call_command("rescreen", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def patients(clinic, clinician):
    """A candidate and an urgent referral, evaluated; a candidate never evaluated."""
    # Version 1: the record does not carry the spec §6.1 facts yet (issue 12, part 3).
    default = load_protocol("annulus-default", 1)
    candidate = candidate_record(clinic, first="Ada")
    urgent = candidate_record(clinic, fever=True)
    for patient in (candidate, urgent):
        actions.record_evaluation(patient, protocol=default, user=clinician)
    never = candidate_record(clinic)
    return candidate, urgent, never


def test_a_dry_run_lists_the_changes_by_id_and_stores_nothing(patients):
    candidate, urgent, never = patients
    before = Evaluation.objects.count()

    out, _ = rescreen("--protocol", "nct01011816-phase3@1")

    assert f"patient {candidate.pk}: candidate → needs_more_information (evaluation " in out
    assert f"patient {never.pk}: none → needs_more_information (no stored evaluation" in out
    assert f"patient {urgent.pk}:" not in out  # a red flag stays a red flag
    assert "2 of 3 patients would change under nct01011816-phase3@1" in out
    assert "Dry run: nothing stored." in out
    assert "Ada" not in out
    assert Evaluation.objects.count() == before
    event = AuditEvent.objects.get(action="candidacy.rescreen_preview")
    assert event.details["changed"] == 2 and event.details["checked"] == 3
    assert event.details["patient_ids"] == [candidate.pk, never.pk]


def test_names_are_printed_only_when_asked(patients):
    out, _ = rescreen("--protocol", "nct01011816-phase3@1", "--names")

    assert "Testpatient, Ada" in out


def test_it_re_evaluates_the_stored_snapshot_not_todays_record(patients, clinic):
    candidate, _, _ = patients
    candidate.intake.fever = True  # the record changed since the evaluation
    candidate.intake.save()

    out, _ = rescreen("--protocol", "annulus-default@1")

    assert f"patient {candidate.pk}:" not in out  # the snapshot still gives candidate


def test_apply_stores_new_evaluations_awaiting_review(patients):
    candidate, _, never = patients

    out, _ = rescreen("--protocol", "nct01011816-phase3@1", "--apply")

    assert "Stored 2 new evaluations" in out
    stored = Evaluation.objects.filter(source=Source.RESCREEN)
    assert {e.patient_id for e in stored} == {candidate.pk, never.pk}
    for evaluation in stored:
        assert (evaluation.protocol_id, evaluation.protocol_version) == ("nct01011816-phase3", 1)
        assert evaluation.review == Review.PENDING
        assert evaluation.evaluated_by is None
        assert evaluation.outcome == "needs_more_information"
    previous = Evaluation.objects.filter(patient=candidate, source=Source.RECORD).get()
    rescreened = stored.get(patient=candidate)
    assert rescreened.case_snapshot == previous.case_snapshot
    events = AuditEvent.objects.filter(action="candidacy.rescreen")
    assert events.count() == 2
    detail = events.get(patient_id=candidate.pk).details
    assert detail["previous_evaluation"] == previous.pk
    assert detail["previous_outcome"] == "candidate"

    again, _ = rescreen("--protocol", "nct01011816-phase3@1", "--apply")
    assert "0 of 3 patients would change" in again


def test_it_keeps_to_one_clinic_when_asked(patients, clinician):
    elsewhere = make_clinic("Elsewhere (test)")
    candidate_record(elsewhere)

    out, _ = rescreen("--protocol", "nct01011816-phase3@1", "--clinic", patients[0].clinic.slug)

    assert "of 3 patients" in out


def test_an_unknown_protocol_or_clinic_exits_2():
    with pytest.raises(CommandError, match="unknown protocol 'nope'") as protocol:
        rescreen("--protocol", "nope@1")
    with pytest.raises(CommandError, match="has no version 9") as version:
        rescreen("--protocol", "annulus-default@9")
    with pytest.raises(CommandError, match="--clinic: no clinic 'atlantis'") as clinic:
        rescreen("--protocol", "annulus-default@1", "--clinic", "atlantis")

    assert protocol.value.returncode == version.value.returncode == clinic.value.returncode == 2


def test_the_command_line_exits_2_for_an_unknown_protocol(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "annulus.cli", "rescreen", "--protocol", "nope@1"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "ANNULUS_VAR_DIR": str(tmp_path)},
    )

    assert result.returncode == 2
    assert "unknown protocol 'nope'" in result.stderr
    assert result.stdout == ""


def test_it_says_when_a_clinician_had_overridden_the_old_decision(patients, clinician):
    candidate, _, _ = patients
    evaluation = Evaluation.objects.get(patient=candidate)
    actions.override_evaluation(
        evaluation,
        user=clinician,
        reason="clinical_judgement",
        outcome="not_candidate",
        criteria=["P-AGE"],
    )

    out, _ = rescreen("--protocol", "nct01011816-phase3@1")

    assert f"patient {candidate.pk}: candidate → needs_more_information" in out
    assert "the clinician decided not_candidate" in out
