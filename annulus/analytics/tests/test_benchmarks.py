"""The benchmark file: every figure cited, the trial figures as the reference gives them."""

import pytest
from pydantic import ValidationError

from annulus.analytics import benchmarks


def test_it_loads_the_newest_version_with_a_source_on_every_number() -> None:
    loaded = benchmarks.load()
    assert loaded.version == benchmarks.versions()[-1]
    for benchmark in loaded.benchmarks:
        assert benchmark.source in loaded.sources
        assert loaded.citation(benchmark)
        assert benchmark.caveats


def test_it_holds_both_arms_of_the_phase_iii_trial() -> None:
    loaded = benchmarks.load(1)
    by_id = {b.id: b for b in loaded.benchmarks}
    assert (by_id["nct01011816-fibrin"].value, by_id["nct01011816-fibrin"].n) == (0.335, 164)
    assert (by_id["nct01011816-saline"].value, by_id["nct01011816-saline"].n) == (0.393, 56)
    assert by_id["nct01011816-saline-pain"].value == 0.5
    assert by_id["yin-2014-rmdq-104w"].months == 24
    assert {"fusion_trial", "rehabilitation_trial", "natural_history", "fibrin_pilot"} <= {
        b.arm for b in loaded.benchmarks
    }


def test_it_refuses_a_figure_without_a_known_source() -> None:
    data = benchmarks.load().model_dump()
    data["benchmarks"][0]["source"] = "nowhere"
    with pytest.raises(ValidationError, match="unknown source"):
        benchmarks.BenchmarkSet.model_validate(data)


def test_it_refuses_a_fraction_above_one() -> None:
    data = benchmarks.load().model_dump()
    fraction = next(b for b in data["benchmarks"] if b["unit"] == "fraction")
    fraction["value"] = 33.5
    with pytest.raises(ValidationError, match="fraction"):
        benchmarks.BenchmarkSet.model_validate(data)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ci_low": 60.0, "ci_high": None}, "both ends"),
        ({"value": 90.0, "ci_low": 64.6, "ci_high": 80.3}, "outside its interval"),
        ({"n": None, "n_note": ""}, "n_note"),
    ],
)
def test_it_refuses_an_inconsistent_figure(change: dict, message: str) -> None:
    data = benchmarks.load().model_dump()
    data["benchmarks"][0].update(change)
    with pytest.raises(ValidationError, match=message):
        benchmarks.BenchmarkSet.model_validate(data)


def test_it_refuses_an_id_used_twice_and_finds_by_measure() -> None:
    data = benchmarks.load().model_dump()
    data["benchmarks"] = [*data["benchmarks"], dict(data["benchmarks"][0])]
    with pytest.raises(ValidationError, match="used twice"):
        benchmarks.BenchmarkSet.model_validate(data)
    composite = benchmarks.load().find(measure="composite_success")
    assert {b.arm for b in composite} == {"fibrin_trial", "saline_trial"}
