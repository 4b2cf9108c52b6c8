"""Invalid case files are refused as a whole, with messages that name the path and the rule."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from pydantic import BaseModel, Field

from annulus.candidacy.engine import CaseError, parse_case, serialize_case
from annulus.candidacy.engine.case import Case
from annulus.candidacy.engine.case_errors import (
    describe_validation_error,
    format_path,
    show_value,
)

from .support import SPEC_EXAMPLE, example


def messages(data: dict[str, Any] | str | bytes) -> list[str]:
    with pytest.raises(CaseError) as caught:
        parse_case(data)
    assert str(caught.value) == "\n".join(str(issue) for issue in caught.value.issues)
    return [str(issue) for issue in caught.value.issues]


def test_it_names_the_path_and_the_range_like_the_spec() -> None:
    case = example(**{"imaging.levels.L4-L5.pfirrmann_grade": 7})

    assert messages(case) == [
        "imaging.levels.L4-L5.pfirrmann_grade: must be between 1 and 5 (got 7)"
    ]


def test_it_refuses_truncated_json() -> None:
    text = json.dumps(SPEC_EXAMPLE)[:-40]

    (message,) = messages(text)
    assert message.startswith("case: not valid JSON (EOF while parsing")


def test_it_refuses_text_that_is_not_json() -> None:
    assert messages(b"case_id: x") == ["case: not valid JSON (expected value at line 1 column 1)"]


def test_it_refuses_json_that_is_not_an_object() -> None:
    assert messages("[1, 2]") == ["case: must be an object (got a list)"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"patient.age_years": "44"}, 'patient.age_years: must be an integer (got "44")'),
        ({"patient.age_years": 44.0}, "patient.age_years: must be an integer (got 44.0)"),
        ({"patient.age_years": True}, "patient.age_years: must be an integer (got true)"),
        ({"symptoms.odi": "high"}, 'symptoms.odi: must be a number (got "high")'),
        (
            {"symptoms.radicular_signs": "yes"},
            'symptoms.radicular_signs: must be true or false (got "yes")',
        ),
        ({"case_id": 12}, "case_id: must be a string (got 12)"),
        ({"imaging.levels": [1]}, "imaging.levels: must be an object (got a list)"),
        ({"symptoms": [1]}, "symptoms: must be an object (got a list)"),
        (
            {"diagnostics.discography": {"level": "L4-L5"}},
            "diagnostics.discography: must be a list (got an object)",
        ),
        (
            {"imaging.levels.L4-L5.modic_type": 1.5},
            "imaging.levels.L4-L5.modic_type: must be an integer (got 1.5)",
        ),
    ],
)
def test_it_refuses_wrong_types(change: dict[str, Any], expected: str) -> None:
    assert messages(example(**change)) == [expected]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"patient.age_years": 121}, "patient.age_years: must be between 0 and 120 (got 121)"),
        ({"patient.age_years": -1}, "patient.age_years: must be between 0 and 120 (got -1)"),
        (
            {"symptoms.back_pain_nrs": 10.5},
            "symptoms.back_pain_nrs: must be between 0 and 10 (got 10.5)",
        ),
        ({"symptoms.odi": -0.5}, "symptoms.odi: must be between 0 and 100 (got -0.5)"),
        ({"symptoms.rmdq": 25}, "symptoms.rmdq: must be between 0 and 24 (got 25)"),
        (
            {"symptoms.back_pain_duration_months": -1},
            "symptoms.back_pain_duration_months: must be at least 0 (got -1)",
        ),
        (
            {"history.opioid_mme_per_day": -5},
            "history.opioid_mme_per_day: must be at least 0 (got -5)",
        ),
        (
            {"imaging.levels.L4-L5.modic_type": 4},
            "imaging.levels.L4-L5.modic_type: must be between 0 and 3 (got 4)",
        ),
        (
            {
                "diagnostics.medial_branch_blocks": [
                    {"date": "2026-05-02", "levels": ["L4-L5"], "relief_percent": 101}
                ]
            },
            "diagnostics.medial_branch_blocks[0].relief_percent:"
            " must be between 0 and 100 (got 101)",
        ),
    ],
)
def test_it_refuses_values_out_of_range(change: dict[str, Any], expected: str) -> None:
    assert messages(example(**change)) == [expected]


def test_it_refuses_numbers_that_are_not_finite() -> None:
    text = json.dumps(example(**{"symptoms.odi": 1}))
    assert messages(text.replace('"odi": 1', '"odi": NaN')) == [
        "symptoms.odi: must be a finite number (got NaN)"
    ]
    assert messages(text.replace('"odi": 1', '"odi": 1e400')) == [
        "symptoms.odi: must be a finite number (got Infinity)"
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"notes": "x"}, "notes: unknown key"),
        ({"symptoms.back_pain_score": 5}, "symptoms.back_pain_score: unknown key"),
        ({"red_flags.headache": False}, "red_flags.headache: unknown key"),
        (
            {"imaging.levels.L4-L5.annular_tear": True},
            "imaging.levels.L4-L5.annular_tear: unknown key",
        ),
    ],
)
def test_it_refuses_unknown_keys(change: dict[str, Any], expected: str) -> None:
    assert messages(example(**change)) == [expected]


def test_it_refuses_unknown_levels_and_enum_values() -> None:
    case = example(**{"imaging.levels.L6-S1": {"pfirrmann_grade": 3}})
    case["diagnostics"]["discography"][0]["level"] = "S1-S2"
    case["imaging"]["levels"]["L4-L5"]["contour"] = "herniation"

    assert messages(case) == [
        "imaging.levels.L4-L5.contour: must be one of normal, bulge, protrusion, extrusion or"
        ' sequestration (got "herniation")',
        "imaging.levels.L6-S1: unknown level; must be one of L1-L2, L2-L3, L3-L4, L4-L5 or L5-S1"
        ' (got "L6-S1")',
        "diagnostics.discography[0].level: must be one of L1-L2, L2-L3, L3-L4, L4-L5 or L5-S1"
        ' (got "S1-S2")',
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"imaging.mri_date": "2026-10-02"},
            "imaging.mri_date: must not be after assessed_on 2026-10-01 (got 2026-10-02)",
        ),
        (
            {"psychology": {"phq9": 4, "phq9_date": "2026-12-24"}},
            "psychology.phq9_date: must not be after assessed_on 2026-10-01 (got 2026-12-24)",
        ),
        (
            {"diagnostics.si_joint_blocks": [{"date": "2027-01-01", "relief_percent": 10}]},
            "diagnostics.si_joint_blocks[0].date:"
            " must not be after assessed_on 2026-10-01 (got 2027-01-01)",
        ),
        (
            {
                "diagnostics.medial_branch_blocks": [
                    {"date": "2026-11-01", "levels": ["L4-L5"], "relief_percent": 10}
                ]
            },
            "diagnostics.medial_branch_blocks[0].date:"
            " must not be after assessed_on 2026-10-01 (got 2026-11-01)",
        ),
        (
            {
                "history.prior_spine_procedures": [
                    {"level": "L4-L5", "type": "fusion", "year": 2027}
                ]
            },
            "history.prior_spine_procedures[0].year:"
            " must not be after 2026, the year of assessed_on (got 2027)",
        ),
    ],
)
def test_it_refuses_dates_after_assessed_on(change: dict[str, Any], expected: str) -> None:
    assert messages(example(**change)) == [expected]


def test_it_reports_every_late_date_in_order_after_a_repeated_discogram() -> None:
    case = example(
        **{"imaging.mri_date": "2026-10-05", "psychology": {"phq9": 4, "phq9_date": "2026-10-03"}}
    )
    discs = case["diagnostics"]["discography"]
    discs.append({**discs[0], "date": "2026-10-09"})

    assert messages(case) == [
        f"diagnostics.discography[{len(discs) - 1}].level: {discs[0]['level']} already has a"
        " discogram in entry 0 (one entry per disc stimulated)",
        "imaging.mri_date: must not be after assessed_on 2026-10-01 (got 2026-10-05)",
        "psychology.phq9_date: must not be after assessed_on 2026-10-01 (got 2026-10-03)",
        f"diagnostics.discography[{len(discs) - 1}].date:"
        " must not be after assessed_on 2026-10-01 (got 2026-10-09)",
    ]


def test_it_refuses_a_discogram_dated_after_assessed_on() -> None:
    case = example()
    case["diagnostics"]["discography"][1]["date"] = "2026-10-02"

    assert messages(case) == [
        "diagnostics.discography[1].date: must not be after assessed_on 2026-10-01 (got 2026-10-02)"
    ]


def test_it_accepts_date_objects_from_python_callers() -> None:
    case = parse_case(example(assessed_on=date(2026, 10, 1)))
    assert case.assessed_on == date(2026, 10, 1)


def test_it_accepts_dates_on_assessed_on() -> None:
    case = parse_case(example(**{"imaging.mri_date": "2026-10-01"}))
    assert case.imaging is not None and str(case.imaging.mri_date) == "2026-10-01"


@pytest.mark.parametrize("bad", ["01/10/2026", "2026-02-30", "20261001", "2026-10-01T00:00:00"])
def test_it_refuses_dates_not_written_yyyy_mm_dd(bad: str) -> None:
    assert messages(example(assessed_on=bad)) == [
        f'assessed_on: must be a date written YYYY-MM-DD (got "{bad}")'
    ]


def test_it_refuses_a_date_that_is_a_number() -> None:
    assert messages(example(assessed_on=20261001)) == [
        "assessed_on: must be a date written YYYY-MM-DD (got 20261001)"
    ]


def test_it_requires_case_id_assessed_on_and_age() -> None:
    assert messages({"patient": {}}) == [
        "case_id: required",
        "assessed_on: required",
        "patient.age_years: required",
    ]
    assert messages({"case_id": "", "assessed_on": "2026-01-01", "patient": {"age_years": 3}}) == [
        "case_id: must not be empty"
    ]


def test_it_refuses_a_second_discogram_of_the_same_level() -> None:
    case = example()
    case["diagnostics"]["discography"].append(dict(case["diagnostics"]["discography"][1]))

    assert messages(case) == [
        "diagnostics.discography[2].level: L4-L5 already has a discogram in entry 1"
        " (one entry per disc stimulated)"
    ]


def test_it_refuses_a_block_with_no_level() -> None:
    blocks = [{"date": "2026-05-02", "levels": [], "relief_percent": 10}]
    assert messages(example(**{"diagnostics.medial_branch_blocks": blocks})) == [
        "diagnostics.medial_branch_blocks[0].levels: must list at least one item"
    ]


def test_it_lists_every_problem_at_once() -> None:
    case = example(**{"patient.age_years": 300, "symptoms.odi": "x", "extra": 1})

    assert messages(case) == [
        "patient.age_years: must be between 0 and 120 (got 300)",
        'symptoms.odi: must be a number (got "x")',
        "extra: unknown key",
    ]


def test_it_reads_absent_and_null_as_unknown() -> None:
    with_nulls = example(**{"symptoms.odi": None})
    with_nulls["symptoms"]["rmdq"] = None
    with_nulls["imaging"]["mri_date"] = None

    case = parse_case(with_nulls)
    assert case.symptoms is not None and case.symptoms.rmdq is None
    assert "rmdq" not in serialize_case(case)["symptoms"]  # type: ignore[operator]


def test_it_shows_offending_values_briefly() -> None:
    assert show_value({"a": 1}) == "an object"
    assert show_value((1,)) == "a list"
    assert show_value(3.0) == "3.0"
    assert show_value(None) == "null"
    assert show_value("x" * 100) == '"' + "x" * 36 + '..."'
    assert format_path(()) == "case"
    assert format_path(("a", 0, "b", "[key]")) == "a[0].b"


class _OnlyMaximum(BaseModel):
    score: int = Field(le=5)
    inner: _Inner | None = None


class _Inner(BaseModel):
    value: int = Field(le=1)


_OnlyMaximum.model_rebuild()


def test_it_words_an_upper_bound_alone() -> None:
    error = {"type": "less_than_equal", "loc": ("score",), "msg": "", "input": 9, "ctx": {"le": 5}}
    issue = describe_validation_error(error, _OnlyMaximum)  # type: ignore[arg-type]
    assert str(issue) == "score: must be at most 5 (got 9)"
    deep = {**error, "loc": ("inner", "value", "extra")}
    assert str(describe_validation_error(deep, _OnlyMaximum)) == (  # type: ignore[arg-type]
        "inner.value.extra: must be at most 1 (got 9)"
    )


def test_it_keeps_pydantics_words_for_rare_errors() -> None:
    error = {"type": "some_new_error", "loc": ("case_id",), "msg": "Something odd", "input": 1}
    assert str(describe_validation_error(error, Case)) == "case_id: something odd"  # type: ignore[arg-type]
