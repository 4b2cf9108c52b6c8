"""A case file's text, as `json.dumps(case, indent=2, ensure_ascii=False)` writes it, but fast.

The standard library's encoder falls back to its pure-Python generators whenever `indent` is
set; for `export-case --all` that was a third of the run. Case files hold only dicts with string
keys, lists, strings, numbers, booleans and null, so a direct recursive writer around json's own
C string encoder gives the same bytes. Anything else goes to `json.dumps` unchanged.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring
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
    if kind is str:
        return encode_basestring(value)
    if kind is bool or value is None:
        return _SIMPLE[value]
    if kind is int:
        return int.__repr__(value)
    if kind is float and value == value and value not in (float("inf"), float("-inf")):
        return float.__repr__(value)
    inner = newline + "  "
    if kind is dict:
        if not value:
            return "{}"
        items = value.items()
        if any(type(key) is not str for key, _ in items):
            raise _Other
        parts = [f"{encode_basestring(key)}: {_value(item, inner)}" for key, item in items]
        return "{" + inner + ("," + inner).join(parts) + newline + "}"
    if kind is list:
        if not value:
            return "[]"
        parts = [_value(item, inner) for item in value]
        return "[" + inner + ("," + inner).join(parts) + newline + "]"
    raise _Other
