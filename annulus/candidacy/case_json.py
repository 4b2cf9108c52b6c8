"""A case file's text, as `json.dumps(case, indent=2, ensure_ascii=False)` writes it, but fast.

The standard library's encoder falls back to its pure-Python generators whenever `indent` is
set; for `export-case --all` that was a third of the run. Case files hold only dicts with string
keys, lists, strings, numbers, booleans and null, so a direct recursive writer around json's own
C string encoder gives the same bytes. Anything else goes to `json.dumps` unchanged.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring as _string
from typing import Any

__all__ = ["case_json"]

_SIMPLE = {True: "true", False: "false", None: "null"}


class _Other(Exception):
    """A value this writer does not handle: let json.dumps write (or refuse) the whole case."""


def case_json(case: dict[str, Any]) -> str:
    """`case` as indented JSON text (two spaces, non-ASCII kept), without a final newline."""
    try:
        return _value(case, "\n")
    except _Other:
        return json.dumps(case, indent=2, ensure_ascii=False)


def _value(value: Any, newline: str) -> str:
    kind = type(value)
    if kind is dict:
        return _dict(value, newline)
    if kind is list:
        return _list(value, newline)
    return _scalar(value, kind)


def _scalar(value: Any, kind: type) -> str:
    if kind is str:
        return _string(value)
    if kind is bool or value is None:
        return _SIMPLE[value]
    if kind is int:
        return int.__repr__(value)
    if kind is float and value == value and value not in (float("inf"), float("-inf")):
        return float.__repr__(value)
    raise _Other


# Containers write their members inline, the common leaves (strings, ints, booleans) without a
# call each: a case has about sixty values and the per-value calls were most of this writer's time.


def _dict(value: dict[Any, Any], newline: str) -> str:
    if not value:
        return "{}"
    inner = newline + "  "
    parts = []
    for key, item in value.items():
        if type(key) is not str:
            raise _Other
        kind = type(item)
        if kind is str:
            text = _string(item)
        elif kind is int:
            text = int.__repr__(item)
        elif kind is bool:
            text = "true" if item else "false"
        elif kind is dict:
            text = _dict(item, inner)
        elif kind is list:
            text = _list(item, inner)
        else:
            text = _scalar(item, kind)
        parts.append(_string(key) + ": " + text)
    return "{" + inner + ("," + inner).join(parts) + newline + "}"


def _list(value: list[Any], newline: str) -> str:
    if not value:
        return "[]"
    inner = newline + "  "
    parts = [_value(item, inner) for item in value]
    return "[" + inner + ("," + inner).join(parts) + newline + "]"
