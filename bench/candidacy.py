"""Benchmark `annulus evaluate --batch`: cases per CPU-second, and the ratio to a bare json.loads.

    .venv/bin/python bench/candidacy.py [--size full|mixed] [--cases 20000] [--seed 7]
                                        [--repeat 3] [--protocol annulus-default@2] [--quick]

`--quick` prints only the goal's figure in well under a minute on an idle machine (10,000 cases
unless --cases says otherwise; fresh subprocesses, interleaved; nothing written to results/).

`--size full` (the default; issue 12 "Speed") generates full-size cases: every field present,
three discs stimulated, about 3 KB of JSON each. `--size mixed` generates the varied, partly
incomplete cases of issue 3. The cases are written as JSON lines, then timed:

- `json.loads` of every line (the floor: reading the input at all);
- the engine in process: parse_case + evaluate + Decision.to_json() of every decision;
- `annulus.candidacy.cli.main(["evaluate", "--batch", ...])` in process (adds spooling and I/O);
- `python -m annulus.cli evaluate --batch` as a subprocess (adds interpreter start-up and loading).

The goal (issue 12) is at least 5,000 cases per CPU-second for `annulus evaluate --batch` under
annulus-default v2 on full-size cases; the subprocess row (start-up included) is the figure a
user sees. Results are written to bench/results/candidacy.json and bench/results/candidacy.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annulus.candidacy import cli  # noqa: E402
from annulus.candidacy.engine import (  # noqa: E402
    LEVELS,
    evaluate,
    parse_case,
    resolve_protocol,
)

RESULTS = ROOT / "bench" / "results"
GOAL = 5000
FLAGS = (
    "saddle_anesthesia",
    "bladder_or_bowel_dysfunction",
    "progressive_neurological_deficit",
    "fever",
    "immunosuppression",
    "iv_drug_use",
    "cancer_history",
    "unexplained_weight_loss",
    "recent_significant_trauma",
)


def make_case(rng: random.Random, number: int) -> dict[str, Any]:
    """One synthetic case. About 40 % are "clean" work-ups (mostly candidates); the rest mix
    every kind of failure, unknown values and red flags."""
    clean = rng.random() < 0.4
    unknown = 0.005 if clean else 0.07
    assessed = date(2026, 10, 1) - timedelta(days=rng.randrange(365))

    def choose(good: list[Any], bad: list[Any]) -> Any:
        return rng.choice(good if clean or rng.random() < 0.8 else bad)

    def pick(good: list[Any], bad: list[Any]) -> Any:
        """Like choose, but now and then unknown (left out of the case)."""
        return None if rng.random() < unknown else choose(good, bad)

    def day_before(low: int, high: int) -> str:
        return (assessed - timedelta(days=rng.randrange(low, high))).isoformat()

    positive = _positive_levels(rng, clean)
    stimulated = set(positive)
    for level in positive:
        stimulated.update(LEVELS[i] for i in _neighbours(level) if rng.random() < 0.8)
    if not clean:
        stimulated.update(rng.sample(LEVELS, rng.choice([0, 0, 1, 2])))
    imaged = set(positive) | set(rng.sample(LEVELS, rng.randint(0, 2)))
    blocks = rng.choice([0, 1, 1, 2])
    case: dict[str, Any] = {
        "case_id": f"bench-{number:06d}",
        "assessed_on": assessed.isoformat(),
        "patient": {
            "age_years": rng.choice(
                [25, 38, 44, 52, 61, 70, 75] if clean else [17, 30, 48, 66, 79]
            ),
            "sex": rng.choice(["female", "male", "other", "unknown"]),
            "veteran": rng.random() < 0.2,
        },
        "symptoms": {
            "back_pain_duration_months": pick([6, 9, 14, 30, 60], [3, 5]),
            "back_pain_nrs": pick([5, 6, 7, 8, 9], [2, 3]),
            "leg_pain_nrs": pick([0, 1, 2], [4.5, 6]),
            "leg_pain_below_knee": pick([False], [True]),
            "radicular_signs": pick([False], [True]),
            "odi": pick([30, 36, 44, 58], [18, 28]),
            "rmdq": pick([9, 12, 16], [5, 8]) if rng.random() < 0.6 else None,
        },
        "red_flags": {flag: pick([False], [False] * 12 + [True]) for flag in FLAGS},
        "conservative_care": {
            "duration_months": pick([3, 6, 12], [1, 2]),
            "exercise_or_physical_therapy": pick([True], [False]),
            "epidural_steroid": {
                "received": pick([True, False], [True]),
                "sustained_relief": pick([False], [True]),
            },
        },
        "history": {
            "prior_spine_procedures": []
            if clean
            else [
                {
                    "level": rng.choice(LEVELS),
                    "type": rng.choice(
                        ["discectomy", "laminectomy", "fusion", "disc_replacement", "intradiscal"]
                    ),
                    "year": assessed.year - rng.randrange(15),
                }
                for _ in range(rng.choice([0, 0, 0, 1, 2]))
            ],
            "opioid_mme_per_day": pick([0, 0, 20, 45], [90, 120]),
            "bleeding_disorder": pick([False], [True]),
            "fibrin_sealant_allergy": pick([False], [True]),
        },
        "imaging": {
            "mri_date": pick([day_before(0, 300)], [day_before(366, 500)]),
            "scoliosis_cobb_degrees": pick([0, 0, 5, 12], [25]),
            "levels": {level: _findings(pick) for level in sorted(imaged)},
        },
        "diagnostics": {
            "discography": [
                _discogram(rng, level, level in positive, clean, day_before(10, 200))
                for level in sorted(stimulated)
            ],
            "medial_branch_blocks": [
                {
                    "date": day_before(30, 300),
                    "levels": rng.sample(LEVELS, 2),
                    "relief_percent": choose([10, 20, 40], [60, 90]),
                }
                for _ in range(blocks)
            ],
            "facet_block_not_indicated": True if blocks == 0 else pick([False], [True]),
            "si_joint_blocks": [
                {"date": day_before(30, 300), "relief_percent": choose([10, 30], [80])}
                for _ in range(rng.choice([0, 0, 0, 1]))
            ],
        },
    }
    return _drop_none(case)


FLAGS_V2 = (
    *FLAGS,
    "bilateral_sciatica",
    "new_sexual_dysfunction",
    "night_or_rest_pain",
    "infection_risk",
)


def make_full_case(rng: random.Random, number: int) -> dict[str, Any]:
    """One full-size case (issue 12 "Speed"): every field of spec §1 and §6.1 present, three
    discs stimulated (a positive level and its two neighbours), about 3 KB of JSON. Half are
    clean work-ups; the rest have now and then a value that fails a criterion."""
    assessed = date(2026, 10, 1) - timedelta(days=rng.randrange(365))

    def before(lo: int, hi: int) -> str:
        return (assessed - timedelta(days=rng.randrange(lo, hi))).isoformat()

    good = rng.random() < 0.5

    def c(g: list[Any], b: list[Any]) -> Any:
        return rng.choice(g if good or rng.random() < 0.85 else b)

    centre = rng.randrange(1, 4)
    stimulated = LEVELS[centre - 1 : centre + 2]
    sex = rng.choice(["female", "male", "other", "unknown"])
    discs = []
    for i, level in enumerate(stimulated):
        positive = i == 1
        discs.append(
            {
                "level": level,
                "date": before(10, 200),
                "opening_pressure_psi": rng.choice([5, 8, 10, 14]),
                "pain_onset_psi_above_opening": c([8, 12, 14, 30], [50, 60])
                if positive
                else rng.choice([18, 25, 40]),
                "pain_intensity": c([7, 8, 9], [5, 6]) if positive else rng.choice([2, 3, 4]),
                "concordance": "concordant" if positive else c(["discordant"], ["concordant"]),
                "dallas_grade": c([3, 4, 5], [0, 1, 2]) if positive else rng.choice([0, 1, 2]),
                "epidural_extravasation": rng.random() < 0.05,
            }
        )
    levels = {}
    for level in stimulated:
        contour = c(["normal", "bulge", "protrusion"], ["extrusion", "sequestration"])
        levels[level] = {
            "pfirrmann_grade": c([2, 3, 4], [1, 5]),
            "disc_height_loss_percent": c([5, 15, 25, 33], [40, 55]),
            "high_intensity_zone": rng.random() < 0.5,
            "modic_type": c([0, 0, 1, 2], [3]),
            "contour": contour,
            "protrusion_mm": c([0, 2, 4], [6, 8]),
            "stenosis": c(["none", "mild"], ["moderate", "severe"]),
            "spondylolisthesis_grade": c([0], [1, 2]),
            "spondylolysis": c([False], [True]),
            "flexion_extension_translation_mm": c([0.5, 1, 2, 3], [3.5, 5]),
            "flexion_extension_angulation_degrees": c([1, 2.5, 4], [5, 9]),
        }
    return {
        "case_id": f"full-{number:06d}",
        "assessed_on": assessed.isoformat(),
        "patient": {
            "age_years": c([25, 38, 44, 52, 61, 70], [17, 79]),
            "sex": sex,
            "veteran": rng.random() < 0.2,
            "pregnant": False if sex == "male" else c([False], [True]),
        },
        "symptoms": {
            "back_pain_duration_months": c([6, 9, 14, 30], [3, 5]),
            "back_pain_nrs": c([5, 6, 7, 8], [2, 3]),
            "leg_pain_nrs": c([0, 1, 2], [5, 6]),
            "leg_pain_below_knee": c([False], [True]),
            "radicular_signs": c([False], [True]),
            "odi": c([30, 36, 44, 58], [18, 28]),
            "rmdq": c([9, 12, 16], [5, 8]),
        },
        "red_flags": {flag: c([False], [False] * 20 + [True]) for flag in FLAGS_V2},
        "conservative_care": {
            "duration_months": c([3, 6, 12], [1, 2]),
            "exercise_or_physical_therapy": c([True], [False]),
            "epidural_steroid": {
                "received": rng.random() < 0.6,
                "sustained_relief": c([False], [True]),
            },
        },
        "history": {
            "prior_spine_procedures": [
                {
                    "level": rng.choice(LEVELS),
                    "type": c(
                        ["discectomy", "laminectomy"], ["fusion", "disc_replacement", "intradiscal"]
                    ),
                    "year": assessed.year - rng.randrange(1, 15),
                }
            ],
            "opioid_mme_per_day": c([0, 20, 45], [90, 120]),
            "bleeding_disorder": c([False], [True]),
            "fibrin_sealant_allergy": c([False], [True]),
            "anticoagulant_or_antiplatelet": c([False, True], [True]),
            "compensation_or_litigation": c([False], [True]),
        },
        "imaging": {
            "mri_date": c([before(0, 300)], [before(366, 500)]),
            "scoliosis_cobb_degrees": c([0, 5, 12], [25]),
            "levels": levels,
        },
        "diagnostics": {
            "discography": discs,
            "medial_branch_blocks": [
                {
                    "date": before(30, 300),
                    "levels": rng.sample(LEVELS, 2),
                    "relief_percent": c([10, 20, 40], [60, 90]),
                }
            ],
            "facet_block_not_indicated": False,
            "si_joint_blocks": [
                {
                    "date": before(30, 300),
                    "side": rng.choice(["left", "right", "bilateral"]),
                    "relief_percent": c([10, 30], [80]),
                }
            ],
        },
        "psychology": {
            "phq9": c([2, 6, 11, 16], [20, 24]),
            "phq9_date": c([before(0, 300)], [before(366, 400)]),
        },
    }


def _neighbours(level: str) -> list[int]:
    i = LEVELS.index(level)
    return [j for j in (i - 1, i + 1) if 0 <= j < len(LEVELS)]


def _positive_levels(rng: random.Random, clean: bool) -> list[str]:
    if clean or rng.random() < 0.6:
        start = rng.randrange(len(LEVELS) - 1)
        return list(LEVELS[start : start + rng.choice([1, 1, 1, 2])])
    return rng.sample(LEVELS, rng.choice([0, 0, 2, 3]))


def _findings(pick: Callable[[list[Any], list[Any]], Any]) -> dict[str, Any]:
    contour = pick(["normal", "bulge", "bulge", "protrusion"], ["extrusion", "sequestration"])
    return {
        "pfirrmann_grade": pick([2, 3, 3, 4], [1, 5]),
        "disc_height_loss_percent": pick([5, 15, 25, 33], [40, 55]),
        "high_intensity_zone": pick([True, False], [True]),
        "modic_type": pick([0, 0, 0, 1, 2], [3]),
        "contour": contour,
        "protrusion_mm": pick([2, 4, 5], [6, 8]) if contour == "protrusion" else None,
        "stenosis": pick(["none", "mild", "moderate"], ["severe"]),
        "spondylolisthesis_grade": pick([0, 0, 0, 1], [2]),
        "spondylolysis": pick([False], [True]),
        "flexion_extension_translation_mm": pick([0.5, 1, 2, 3.5], [4, 5]),
        "flexion_extension_angulation_degrees": pick([2, 4, 8], [10, 12]),
    }


def _discogram(
    rng: random.Random, level: str, positive: bool, clean: bool, when: str
) -> dict[str, Any]:
    if positive:
        concordance = "concordant"
        intensity = rng.choice([7, 8, 9]) if clean or rng.random() < 0.8 else 6
        onset: float | None = rng.choice([8, 12, 20, 40]) if clean else rng.choice([12, 40, 60])
    else:
        concordance = rng.choice(["none", "none", "none", "discordant"])
        if not clean and rng.random() < 0.2:
            concordance = "concordant"
        intensity = 0 if concordance == "none" else rng.choice([3, 4, 5, 6])
        onset = None if concordance == "none" else rng.choice([10, 20, 30])
    disc: dict[str, Any] = {
        "level": level,
        "date": when,
        "opening_pressure_psi": rng.choice([5, 8, 10, 14]),
        "concordance": concordance,
        "pain_intensity": intensity,
        "pain_onset_psi_above_opening": onset,
        "dallas_grade": rng.choice([0, 1, 2, 3, 4]),
        "epidural_extravasation": rng.random() < 0.05,
    }
    return disc


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


class Timing:
    """Best-of-N wall-clock and CPU seconds of one measurement."""

    def __init__(self, wall: float, cpu: float) -> None:
        self.wall = wall
        self.cpu = cpu


def _best(repeat: int, run: Callable[[], object]) -> Timing:
    """Run `repeat` times; keep the best wall time and the best CPU time (this process and its
    children: the subprocess measurement counts the child's CPU)."""
    walls, cpus = [], []
    for _ in range(repeat):
        cpu_start = _cpu()
        start = time.perf_counter()
        run()
        walls.append(time.perf_counter() - start)
        cpus.append(_cpu() - cpu_start)
    return Timing(min(walls), min(cpus))


def _cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--size", choices=("full", "mixed"), default="full")
    parser.add_argument("--protocol", default="annulus-default@2")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="only the figure (under a minute): fresh subprocesses, interleaved, nothing written",
    )
    opts = parser.parse_args()
    if opts.quick:
        return quick(opts)

    load_before = os.getloadavg()[0]
    uptime_before = _uptime()
    rng = random.Random(opts.seed)
    make = make_full_case if opts.size == "full" else make_case
    lines = [json.dumps(make(rng, i)) + "\n" for i in range(opts.cases)]
    encoded = [line.encode() for line in lines]
    protocol = resolve_protocol(opts.protocol)
    reference = f"{protocol.id}@{protocol.version}"
    timings: dict[str, Timing] = {}

    with tempfile.TemporaryDirectory() as tmp:
        batch = Path(tmp) / "cases.jsonl"
        batch.write_text("".join(lines), encoding="utf-8")
        size_mb = batch.stat().st_size / 1e6

        timings["json_loads"] = _best(opts.repeat, lambda: [json.loads(line) for line in encoded])

        outcomes: Counter[str] = Counter()

        def engine() -> None:
            outcomes.clear()
            for line in encoded:
                decision = evaluate(parse_case(line), protocol)
                outcomes[decision.outcome] += 1
                decision.to_json()

        timings["engine_in_process"] = _best(opts.repeat, engine)

        out = Path(tmp) / "decisions.jsonl"

        def cli_in_process() -> None:
            with out.open("w", encoding="utf-8") as sink, contextlib.redirect_stdout(sink):
                status = cli.main(["evaluate", "--batch", str(batch), "--protocol", reference])
            assert status == 0, status

        timings["cli_in_process"] = _best(opts.repeat, cli_in_process)
        _check_output(out, opts.cases)

        command = [sys.executable, "-m", "annulus.cli", "evaluate", "--batch", str(batch)]
        command += ["--protocol", reference]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}

        def subprocess_run() -> None:
            with out.open("wb") as sink:
                subprocess.run(command, stdout=sink, check=True, cwd=ROOT, env=env)

        timings["cli_subprocess"] = _best(opts.repeat, subprocess_run)
        _check_output(out, opts.cases)

    n = opts.cases
    loads = timings["json_loads"]
    batch_run = timings["cli_subprocess"]
    result = {
        "benchmark": f"annulus evaluate --batch (protocol {reference}, {opts.size}-size cases)",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "load_average_1min": {
            "before": round(load_before, 2),
            "after": round(os.getloadavg()[0], 2),
        },
        "uptime": {"before": uptime_before, "after": _uptime()},
        "cases": n,
        "input_megabytes": round(size_mb, 1),
        "bytes_per_case": round(size_mb * 1e6 / n),
        "seed": opts.seed,
        "repeat": opts.repeat,
        "outcomes": dict(sorted(outcomes.items())),
        "wall_seconds": {k: round(t.wall, 3) for k, t in timings.items()},
        "cpu_seconds": {k: round(t.cpu, 3) for k, t in timings.items()},
        "cases_per_second": {k: round(n / t.wall) for k, t in timings.items()},
        "cases_per_cpu_second": {k: round(n / t.cpu) for k, t in timings.items()},
        "ratio_to_json_loads": {
            k: {"wall": round(t.wall / loads.wall, 1), "cpu": round(t.cpu / loads.cpu, 1)}
            for k, t in timings.items()
        },
        "goal_cases_per_cpu_second": GOAL,
        "goal_met": {
            "subprocess": n / batch_run.cpu >= GOAL,
            "in_process": n / timings["cli_in_process"].cpu >= GOAL,
        },
        "registry_of_100000_seconds": round(100_000 * timings["cli_subprocess"].wall / n, 1),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "candidacy.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "candidacy.md").write_text(_markdown(result), encoding="utf-8")
    print(_markdown(result))
    return 0


_LOADS = (
    "import json, sys\n"
    "with open(sys.argv[1], 'rb') as f:\n"
    "    for line in f:\n"
    "        json.loads(line)\n"
)


def quick(opts: argparse.Namespace) -> int:
    """The goal's figure alone: `annulus evaluate --batch` in a fresh subprocess (start-up
    included) against a bare `json.loads` pass over the same file, also a fresh subprocess,
    interleaved, best of `--repeat` CPU times (this process's children: user + system)."""
    cases = min(opts.cases, 10_000) if opts.cases == 20_000 else opts.cases
    rng = random.Random(opts.seed)
    make = make_full_case if opts.size == "full" else make_case
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    loads_cpu, batch_cpu = [], []
    before = _uptime()
    with tempfile.TemporaryDirectory() as tmp:
        batch = Path(tmp) / "cases.jsonl"
        batch.write_text("".join(json.dumps(make(rng, i)) + "\n" for i in range(cases)))
        size = batch.stat().st_size
        evaluate_command = [sys.executable, "-m", "annulus.cli", "evaluate", "--batch"]
        evaluate_command += [str(batch), "--protocol", opts.protocol]
        for _ in range(opts.repeat):
            start = _cpu()
            subprocess.run([sys.executable, "-c", _LOADS, str(batch)], check=True, env=env)
            loads_cpu.append(_cpu() - start)
            start = _cpu()
            with open(os.devnull, "wb") as sink:
                subprocess.run(evaluate_command, stdout=sink, check=True, cwd=ROOT, env=env)
            batch_cpu.append(_cpu() - start)
    loads, run = min(loads_cpu), min(batch_cpu)
    verdict = "met" if cases / run >= GOAL else "NOT met"
    print(
        f"{cases:,} {opts.size}-size cases ({size / cases:,.0f} bytes each), {opts.protocol}, "
        f"best of {opts.repeat}, interleaved fresh subprocesses\n"
        f"bare json.loads: {loads:.2f} CPU-s ({cases / loads:,.0f} lines/CPU-s)\n"
        f"annulus evaluate --batch: {run:.2f} CPU-s ({cases / run:,.0f} cases/CPU-s, "
        f"start-up included), {run / loads:.1f}x json.loads\n"
        f"goal {GOAL:,} cases/CPU-s: {verdict}\n"
        f"uptime before: {before}\nuptime after:  {_uptime()}"
    )
    return 0


def _uptime() -> str:
    """`uptime`'s line: the machine load the figures were measured under."""
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):  # pragma: no cover - no uptime command
        return "load average: " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def _check_output(path: Path, cases: int) -> None:
    with path.open("rb") as handle:
        written = sum(1 for _ in handle)
    assert written == cases, written


def _markdown(r: dict[str, Any]) -> str:
    rows = [
        ("bare `json.loads` of every line", "json_loads"),
        ("engine in process (parse + evaluate + to_json)", "engine_in_process"),
        ("`cli.main(['evaluate', '--batch', …])` in process", "cli_in_process"),
        ("`python -m annulus.cli evaluate --batch` subprocess", "cli_subprocess"),
    ]
    wall, cpu, cps, cpcs = (
        r["wall_seconds"],
        r["cpu_seconds"],
        r["cases_per_second"],
        r["cases_per_cpu_second"],
    )
    ratio = r["ratio_to_json_loads"]
    table = "\n".join(
        f"| {label} | {wall[k]:.2f} | {cps[k]:,} | {cpu[k]:.2f} | {cpcs[k]:,} "
        f"| {ratio[k]['wall']}× | {ratio[k]['cpu']}× |"
        for label, k in rows
    )
    machine = r["machine"]
    load = r["load_average_1min"]
    goal = r["goal_cases_per_cpu_second"]
    met = r["goal_met"]
    verdict = (
        f"{'met' if met['subprocess'] else 'NOT met'} by the subprocess "
        f"({cpcs['cli_subprocess']:,} cases/CPU-s, start-up included), "
        f"{'met' if met['in_process'] else 'NOT met'} in process "
        f"({cpcs['cli_in_process']:,})"
    )
    outcomes = ", ".join(f"{k} {v:,}" for k, v in r["outcomes"].items())
    return f"""# Candidacy engine benchmark

`{r["benchmark"]}`, measured {r["measured_at"]} on Python {machine["python"]},
{machine["platform"]}, {machine["cpus"]} CPUs. {r["cases"]:,} generated cases
({r["input_megabytes"]} MB of JSON lines, {r["bytes_per_case"]:,} bytes a case, seed
{r["seed"]}), best of {r["repeat"]} runs.

Machine load (1-minute average): {load["before"]} before, {load["after"]} after.
`uptime` before: `{r["uptime"]["before"]}`; after: `{r["uptime"]["after"]}`.
On a shared, busy machine the wall-clock figures measure the contention as much as the engine;
the CPU-time figures (process time of this process and its children) say what one process does
with a core, though a crowded machine slows even CPU time (shared caches), so the ratio to
`json.loads`, measured in the same run, is the steadier figure.

| what | wall s | cases/s | CPU s | cases/CPU-s | vs json.loads (wall) | (CPU) |
|---|---:|---:|---:|---:|---:|---:|
{table}

Goal (issue 12): at least {goal:,} cases per CPU-second: {verdict}.
Re-screening a 100,000-patient registry as a subprocess: about
{r["registry_of_100000_seconds"]} s of wall-clock time at this load.

Outcomes in the generated set: {outcomes}.

Regenerate with `make bench` (or `.venv/bin/python bench/candidacy.py`).
"""


if __name__ == "__main__":
    sys.exit(main())
