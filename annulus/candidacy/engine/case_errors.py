"""Turn pydantic's validation errors into short messages that name the path and the rule.

`imaging.levels.L4-L5.pfirrmann_grade: must be between 1 and 5 (got 7)` rather than pydantic's
`Input should be less than or equal to 5`.
"""

from __future__ import annotations

import json
import types
from typing import Union, get_args, get_origin

from annotated_types import Ge, Le
from pydantic import BaseModel
from pydantic_core import ErrorDetails

from .errors import CaseIssue

__all__ = ["describe_validation_error", "format_path", "show_value"]

ROOT = "case"

_TYPE_RULES = {
    "int_type": "must be an integer",
    "float_type": "must be a number",
    "bool_type": "must be true or false",
    "string_type": "must be a string",
    "list_type": "must be a list",
    "model_type": "must be an object",
    "dict_type": "must be an object",
    "finite_number": "must be a finite number",
    "date_parsing": "must be a date written YYYY-MM-DD",
    "date_type": "must be a date written YYYY-MM-DD",
}


def format_path(loc: tuple[int | str, ...]) -> str:
    """`('diagnostics', 'discography', 0, 'level')` → `diagnostics.discography[0].level`."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part != "[key]":
            path += f".{part}" if path else part
    return path or ROOT


def show_value(value: object) -> str:
    """A short JSON-like rendering of an offending value for `(got …)`."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) + ".0"
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + '..."'


def describe_validation_error(error: ErrorDetails, model: type[BaseModel]) -> CaseIssue:
    """One pydantic error → one `CaseIssue` with a plain rule, for a field of `model`."""
    loc = tuple(error["loc"])
    kind = error["type"]
    got = show_value(error.get("input"))
    ctx = error.get("ctx") or {}
    if kind == "json_invalid":
        return CaseIssue(ROOT, f"not valid JSON ({ctx.get('error', error['msg'])})")
    if kind == "missing":
        return CaseIssue(format_path(loc), "required")
    if kind == "extra_forbidden":
        return CaseIssue(format_path(loc), "unknown key")
    if kind in {"greater_than_equal", "less_than_equal"}:
        return CaseIssue(format_path(loc), f"{_range_rule(loc, model)} (got {got})")
    if kind == "literal_error":
        choices = str(ctx.get("expected", "")).replace("'", "")
        what = "unknown level; must be" if loc and loc[-1] == "[key]" else "must be"
        return CaseIssue(format_path(loc), f"{what} one of {choices} (got {got})")
    if kind == "too_short":
        return CaseIssue(format_path(loc), "must list at least one item")
    if kind == "string_too_short":
        return CaseIssue(format_path(loc), "must not be empty")
    if kind in _TYPE_RULES:
        return CaseIssue(format_path(loc), f"{_TYPE_RULES[kind]} (got {got})")
    # Anything rarer keeps pydantic's own words.
    message = error["msg"]
    return CaseIssue(format_path(loc), message[:1].lower() + message[1:])


def _range_rule(loc: tuple[int | str, ...], model: type[BaseModel]) -> str:
    low, high = _field_bounds(loc, model)
    if low is not None and high is not None:
        return f"must be between {low} and {high}"
    if low is not None:
        return f"must be at least {low}"
    return f"must be at most {high}"


def _field_bounds(
    loc: tuple[int | str, ...], model: type[BaseModel]
) -> tuple[object | None, object | None]:
    """The `ge`/`le` declared on the field at `loc`, walking nested models, dicts and lists."""
    current: type[BaseModel] | None = model
    low: object | None = None
    high: object | None = None
    for part in loc:
        # Dict keys (disc levels) and list indices name no field: the walk stays on the model.
        if current is None or not isinstance(part, str) or part not in current.model_fields:
            continue
        info = current.model_fields[part]
        low = next((m.ge for m in info.metadata if isinstance(m, Ge)), None)
        high = next((m.le for m in info.metadata if isinstance(m, Le)), None)
        current = _model_inside(info.annotation)
    return low, high


def _model_inside(annotation: object) -> type[BaseModel] | None:
    """The pydantic model a field holds, through `X | None`, `list[X]` and `dict[K, X]`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType, list, dict):
        for arg in get_args(annotation):
            found = _model_inside(arg)
            if found is not None:
                return found
    return None
