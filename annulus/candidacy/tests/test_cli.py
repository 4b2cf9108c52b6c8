"""`annulus evaluate` and `annulus protocols`: exit codes, stdout and stderr (no Django needed)."""

from __future__ import annotations

import gc
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from annulus.candidacy import cli
from annulus.candidacy.engine import ProtocolError, list_protocols

from .engine.support import SPEC_EXAMPLE as SPEC_EXAMPLE_V1
from .engine.support import SPEC_EXAMPLE_V2 as SPEC_EXAMPLE
from .engine.support import example_v2 as example

ROOT = Path(__file__).resolve().parents[3]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def case_file(
    tmp_path: Path, case: dict[str, Any] | str = SPEC_EXAMPLE, name: str = "case.json"
) -> str:
    path = tmp_path / name
    path.write_text(case if isinstance(case, str) else json.dumps(case), encoding="utf-8")
    return str(path)


def batch_file(tmp_path: Path, lines: list[dict[str, Any] | str]) -> str:
    path = tmp_path / "cases.jsonl"
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines)
    path.write_text(text + "\n", encoding="utf-8")
    return str(path)


def test_it_prints_the_decision_as_json_when_not_on_a_terminal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, out, err = run(capsys, "evaluate", case_file(tmp_path))

    assert (status, err) == (0, "")
    decision = json.loads(out)
    assert decision["outcome"] == "candidate"
    assert decision["levels"] == ["L4-L5"]
    assert decision["protocol"]["id"] == "annulus-default"


def test_it_prints_a_consult_note_on_a_terminal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    status, out, err = run(capsys, "evaluate", case_file(tmp_path))

    assert (status, err) == (0, "")
    assert out.startswith("Candidacy decision for case example-1, assessed 2026-10-01\n")
    assert "Outcome: CANDIDATE for intra-annular fibrin at L4-L5." in out


def test_it_prints_the_format_asked_for(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out, _ = run(capsys, "evaluate", case_file(tmp_path), "--format", "text")
    assert status == 0 and "To do\n  nothing missing" in out
    status, out, _ = run(capsys, "evaluate", case_file(tmp_path), "--format", "json")
    assert status == 0 and json.loads(out)["case_id"] == "example-1"


def test_it_exits_0_for_any_decision(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    urgent = case_file(tmp_path, example(**{"red_flags.fever": True}))
    status, out, err = run(capsys, "evaluate", urgent)

    assert (status, err) == (0, "")
    assert json.loads(out)["outcome"] == "urgent_referral"


def test_it_uses_the_protocol_asked_for(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out, _ = run(
        capsys, "evaluate", case_file(tmp_path), "--protocol", "nct01011816-phase3@1"
    )

    assert status == 0
    decision = json.loads(out)
    assert decision["protocol"]["id"] == "nct01011816-phase3"
    assert decision["outcome"] == "needs_more_information"  # the trial used the RMDQ


def test_it_reads_a_case_from_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(json.dumps(SPEC_EXAMPLE).encode()))
    monkeypatch.setattr(sys, "stdin", stdin)
    status, out, _ = run(capsys, "evaluate", "-")

    assert status == 0 and json.loads(out)["outcome"] == "candidate"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (json.dumps(SPEC_EXAMPLE)[:-30], "case: not valid JSON (EOF while parsing"),
        (
            json.dumps(example(**{"imaging.levels.L4-L5.pfirrmann_grade": 7})),
            "imaging.levels.L4-L5.pfirrmann_grade: must be between 1 and 5 (got 7)",
        ),
        (json.dumps(example(**{"symptoms.mood": "low"})), "symptoms.mood: unknown key"),
        (
            json.dumps(example(**{"imaging.mri_date": "2027-01-01"})),
            "imaging.mri_date: must not be after",
        ),
    ],
)
def test_it_refuses_an_invalid_case_with_exit_2_and_nothing_on_stdout(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, message: str
) -> None:
    path = case_file(tmp_path, content)
    status, out, err = run(capsys, "evaluate", path)

    assert status == 2
    assert out == ""
    assert err.startswith(f"{path}: {message}")


def test_it_refuses_a_file_it_cannot_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, out, err = run(capsys, "evaluate", str(tmp_path / "nope.json"))

    assert (status, out) == (2, "")
    assert err == f"cannot read {tmp_path / 'nope.json'}: No such file or directory\n"


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        (
            "nope",
            "unknown protocol 'nope' (known: annulus-default, nct01011816-phase3, yin-2014-pilot)",
        ),
        ("annulus-default@9", "protocol 'annulus-default' has no version 9 (released: 1, 2)"),
        ("annulus-default@new", "write ID or ID@VERSION"),
    ],
)
def test_it_refuses_an_unknown_protocol_with_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, reference: str, message: str
) -> None:
    status, out, err = run(capsys, "evaluate", case_file(tmp_path), "--protocol", reference)

    assert (status, out) == (2, "")
    assert message in err


def test_it_exits_1_when_a_protocol_file_is_broken(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(reference: str | None) -> None:
        raise ProtocolError("demo/v1.yaml: not valid YAML")

    monkeypatch.setattr(cli, "resolve_protocol", broken)
    status, out, err = run(capsys, "evaluate", case_file(tmp_path))

    assert (status, out) == (1, "")
    assert err == "broken protocol file: demo/v1.yaml: not valid YAML\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["evaluate"], "give either CASE.json or --batch CASES.jsonl"),
        (["evaluate", "a.json", "--batch", "b.jsonl"], "give either CASE.json or --batch"),
        (["evaluate", "--batch", "b.jsonl", "--format", "text"], "--format text is for one case"),
        (["evaluate", "a.json", "--format", "pdf"], "invalid choice: 'pdf'"),
        (["evaluate", "a.json", "--verbose"], "unrecognized arguments: --verbose"),
        (["evaluat"], "unknown command 'evaluat' (expected evaluate or protocols)"),
        ([], "unknown command ''"),
        (["protocols", "--format", "xml"], "invalid choice: 'xml'"),
    ],
)
def test_it_refuses_a_wrong_command_line_with_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    status, out, err = run(capsys, *argv)

    assert (status, out) == (2, "")
    assert message in err


def test_it_explains_itself(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "evaluate", "--help")

    assert (status, err) == (0, "")
    assert "usage: annulus evaluate" in out and "Exit status" in out


# ------------------------------------------------------------------ versions of annulus-default


def test_it_uses_annulus_default_v2_by_default_and_v1_when_asked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    moderate = case_file(tmp_path, example(**{"imaging.levels.L4-L5.stenosis": "moderate"}))

    _, out, _ = run(capsys, "evaluate", moderate)
    default = json.loads(out)
    _, out, _ = run(capsys, "evaluate", moderate, "--protocol", "annulus-default@1")
    v1 = json.loads(out)

    assert (default["protocol"]["version"], default["outcome"]) == (2, "not_candidate")
    assert default["routes"] == ["spine_surgery_consult"]
    assert (v1["protocol"]["version"], v1["outcome"]) == (1, "candidate")
    v1_sha = next(p.sha256 for p in list_protocols() if (p.id, p.version) == ("annulus-default", 1))
    assert v1["protocol"]["sha256"] == v1_sha


def test_it_gives_v1_the_same_decision_with_or_without_the_v2_fields(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _, with_fields, _ = run(
        capsys, "evaluate", case_file(tmp_path), "--protocol", "annulus-default@1"
    )
    _, without, _ = run(
        capsys,
        "evaluate",
        case_file(tmp_path, SPEC_EXAMPLE_V1, "v1.json"),
        "--protocol",
        "annulus-default@1",
    )

    assert json.loads(with_fields) == json.loads(without)


def test_it_asks_for_the_v2_facts_of_a_v1_case(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, out, _ = run(capsys, "evaluate", case_file(tmp_path, SPEC_EXAMPLE_V1))

    decision = json.loads(out)
    assert (status, decision["outcome"]) == (0, "needs_more_information")
    assert "PHQ-9 within the last 12 months" in decision["missing"]
    assert "Answer the red-flag screen: night or rest pain" in decision["missing"]


@pytest.mark.parametrize("protocol", ["annulus-default@1", "annulus-default@2", "yin-2014-pilot"])
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"psychology.phq9": 28}, "psychology.phq9: must be between 0 and 27 (got 28)"),
        ({"psychology.phq9": 9.5}, "psychology.phq9: must be an integer (got 9.5)"),
        ({"psychology.phq9_date": "2026-10-02"}, "psychology.phq9_date: must not be after"),
        ({"psychology.phq9_date": "01/08/2026"}, "psychology.phq9_date: must be a date"),
        ({"patient.pregnant": "no"}, 'patient.pregnant: must be true or false (got "no")'),
        ({"red_flags.infection_risk": 1}, "red_flags.infection_risk: must be true or false"),
        (
            {"history.compensation_or_litigation": None, "history.litigation": True},
            "history.litigation: unknown key",
        ),
        ({"psychology.gad7": 3}, "psychology.gad7: unknown key"),
    ],
)
def test_it_refuses_invalid_v2_fields_under_every_protocol(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    protocol: str,
    changes: dict[str, Any],
    message: str,
) -> None:
    path = case_file(tmp_path, example(**changes))
    status, out, err = run(capsys, "evaluate", path, "--protocol", protocol)

    assert (status, out) == (2, "")
    assert err.startswith(f"{path}: {message}")


def test_it_lists_both_versions_of_annulus_default_with_their_hashes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(capsys, "protocols", "--format", "json")

    rows = {(row["id"], row["version"]): row["sha256"] for row in json.loads(out)}
    assert status == 0
    assert {("annulus-default", 1), ("annulus-default", 2)} <= set(rows)
    assert rows[("annulus-default", 1)] != rows[("annulus-default", 2)]


# ------------------------------------------------------------------ --batch


def test_it_writes_one_decision_per_line_in_order(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lines: list[dict[str, Any] | str] = [
        {**SPEC_EXAMPLE, "case_id": "a"},
        "",
        {**example(**{"patient.age_years": 90}), "case_id": "b"},
        {**example(**{"red_flags.fever": True}), "case_id": "c"},
    ]
    status, out, err = run(capsys, "evaluate", "--batch", batch_file(tmp_path, lines))

    assert (status, err) == (0, "")
    decisions = [json.loads(line) for line in out.splitlines()]
    assert [(d["case_id"], d["outcome"]) for d in decisions] == [
        ("a", "candidate"),
        ("b", "not_candidate"),
        ("c", "urgent_referral"),
    ]


def test_it_refuses_the_whole_batch_when_a_line_is_invalid(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lines: list[dict[str, Any] | str] = [
        SPEC_EXAMPLE,
        example(**{"symptoms.odi": 140}),
        SPEC_EXAMPLE,
        '{"case_id": ',
    ]
    path = batch_file(tmp_path, lines)
    status, out, err = run(capsys, "evaluate", "--batch", path)

    assert (status, out) == (2, "")
    assert err.splitlines()[0] == f"{path}:2: symptoms.odi: must be between 0 and 100 (got 140)"
    assert err.splitlines()[1].startswith(f"{path}:4: case: not valid JSON")
    assert err.splitlines()[-1] == f"{path}: 2 invalid line(s); no decisions were written"


def test_it_reports_the_first_twenty_invalid_lines(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = batch_file(tmp_path, ["[]"] * 25)
    status, out, err = run(capsys, "evaluate", "--batch", path)

    assert (status, out) == (2, "")
    lines = err.splitlines()
    assert len([line for line in lines if "must be an object" in line]) == 20
    assert f"{path}: ... and 5 more invalid lines" in lines


def test_it_decides_a_large_batch(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    lines: list[dict[str, Any] | str] = [{**SPEC_EXAMPLE, "case_id": f"c{i}"} for i in range(1200)]
    status, out, _ = run(capsys, "evaluate", "--batch", batch_file(tmp_path, lines))

    assert status == 0
    ids = [json.loads(line)["case_id"] for line in out.splitlines()]
    assert ids == [f"c{i}" for i in range(1200)]


def test_a_batch_leaves_no_reference_cycles_and_restores_the_collector(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # The batch collects garbage rarely, which is safe only while evaluations make no cycles:
    # whatever cyclic garbage a run leaves (argparse's parser) must not grow with its cases.
    cases: list[dict[str, Any] | str] = [{**SPEC_EXAMPLE, "case_id": f"c{i}"} for i in range(40)]
    cases += [example(**{"red_flags.fever": True}), example(**{"symptoms.odi": None})]
    many = batch_file(tmp_path, cases)
    one = case_file(tmp_path, json.dumps(SPEC_EXAMPLE) + "\n", "one.jsonl")
    bad_once = case_file(tmp_path, "[]\n", "bad1.jsonl")
    bad_often = case_file(tmp_path, "[]\n{\n" * 20, "bad40.jsonl")
    run(capsys, "evaluate", "--batch", many)  # memos filled: what stays is not garbage
    threshold = gc.get_threshold()
    garbage = []
    gc.collect()
    gc.disable()
    try:
        for path in (one, many, bad_once, bad_often):
            status, _, _ = run(capsys, "evaluate", "--batch", path)
            assert status == (0 if path in (one, many) else 2)
            garbage.append(gc.collect())
    finally:
        gc.enable()
    assert garbage[0] == garbage[1] and garbage[2] == garbage[3]
    assert gc.get_threshold() == threshold
    assert gc.get_freeze_count() == 0


def test_it_writes_a_batch_to_a_text_only_stdout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sink = io.StringIO()
    monkeypatch.setattr(sys, "stdout", sink)
    lines: list[dict[str, Any] | str] = [{**SPEC_EXAMPLE, "case_id": "é-1"}]

    assert cli.main(["evaluate", "--batch", batch_file(tmp_path, lines)]) == 0
    assert json.loads(sink.getvalue())["case_id"] == "é-1"


@pytest.mark.parametrize("text_only", [False, True], ids=["bytes", "text-only"])
def test_a_batch_larger_than_the_memory_spool_goes_through_a_file_unchanged(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    text_only: bool,
) -> None:
    lines: list[dict[str, Any] | str] = [{**SPEC_EXAMPLE, "case_id": f"é{i}"} for i in range(40)]
    path = batch_file(tmp_path, lines)
    status, in_memory, _ = run(capsys, "evaluate", "--batch", path)
    assert status == 0 and len(in_memory.splitlines()) == 40
    monkeypatch.setattr(cli, "_SPOOL_IN_MEMORY", 5000)  # a few decisions, then the file
    if text_only:
        sink = io.StringIO()
        monkeypatch.setattr(sys, "stdout", sink)
        assert cli.main(["evaluate", "--batch", path]) == 0
        assert sink.getvalue() == in_memory
    else:
        assert run(capsys, "evaluate", "--batch", path) == (0, in_memory, "")


def test_a_spooled_batch_with_an_invalid_last_line_writes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "_SPOOL_IN_MEMORY", 5000)
    lines: list[dict[str, Any] | str] = [{**SPEC_EXAMPLE, "case_id": f"c{i}"} for i in range(40)]
    path = batch_file(tmp_path, [*lines, "{"])
    status, out, err = run(capsys, "evaluate", "--batch", path)

    assert (status, out) == (2, "")
    assert f"{path}:41: " in err


def test_it_accepts_an_empty_batch(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert run(capsys, "evaluate", "--batch", batch_file(tmp_path, [])) == (0, "", "")


def test_it_reads_a_batch_from_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = (json.dumps(SPEC_EXAMPLE) + "\n").encode() * 2
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    status, out, _ = run(capsys, "evaluate", "--batch", "-", "--protocol", "yin-2014-pilot")

    assert status == 0
    assert [json.loads(line)["protocol"]["id"] for line in out.splitlines()] == [
        "yin-2014-pilot"
    ] * 2


def test_it_refuses_a_batch_it_cannot_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, out, err = run(capsys, "evaluate", "--batch", str(tmp_path))

    assert (status, out) == (2, "")
    assert err.startswith(f"cannot read {tmp_path}: ")


# ------------------------------------------------------------------ protocols


def test_it_lists_the_protocols_with_version_hash_and_title(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, "protocols")

    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == ["id", "version", "sha256", "title"]
    for protocol, line in zip(list_protocols(), lines[1:], strict=True):
        assert line.split()[:3] == [protocol.id, str(protocol.version), protocol.sha256]
        assert line.endswith(protocol.title)


def test_it_lists_the_protocols_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "protocols", "--format", "json")

    assert status == 0
    assert json.loads(out) == [
        {"id": p.id, "version": p.version, "sha256": p.sha256, "title": p.title}
        for p in list_protocols()
    ]


# ------------------------------------------------------------------ the real console script


def test_it_runs_as_the_annulus_command_without_django(tmp_path: Path) -> None:
    good = case_file(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "annulus.cli", "evaluate", good, "--format", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert json.loads(result.stdout)["outcome"] == "candidate"

    bad = case_file(tmp_path, example(**{"patient.age_years": 200}), name="bad.json")
    result = subprocess.run(
        [sys.executable, "-m", "annulus.cli", "evaluate", bad],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == f"{bad}: patient.age_years: must be between 0 and 120 (got 200)\n"

    probe = (
        "import sys, io, contextlib\n"
        "from annulus.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert main(['protocols']) == 0\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout == "[]\n"
