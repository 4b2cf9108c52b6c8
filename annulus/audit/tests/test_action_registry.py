"""Every audit event is named from the registry (`annulus/audit/actions.py`)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import annulus
from annulus.audit import actions as registry

ROOT = Path(annulus.__file__).parent
CONSTANTS = {name for name in dir(registry) if name.isupper()}


def _problems(node: ast.expr) -> list[str]:
    """Why the action name `node` is not a registered one (empty when it is, or cannot be known
    here: a variable, whose literal value is checked where it is written)."""
    if isinstance(node, ast.Constant):
        if node.value is None:
            return []
        if registry.is_registered(node.value):
            # A registered value written out is still a free string: a typo elsewhere would pass.
            return [f"{node.value!r} is written out: import its constant from the registry"]
        return [f"{node.value!r} is not registered"]
    if isinstance(node, ast.Name):
        if node.id.isupper() and node.id not in CONSTANTS:
            return [f"{node.id} is not a registered constant"]
        return []
    if isinstance(node, ast.Attribute):
        if node.attr.isupper() and node.attr not in CONSTANTS:
            return [f"{node.attr} is not a registered constant"]
        return []
    if isinstance(node, ast.IfExp):
        return _problems(node.body) + _problems(node.orelse)
    if isinstance(node, ast.BoolOp):
        return [p for value in node.values for p in _problems(value)]
    if isinstance(node, ast.JoinedStr):
        parts = [
            re.escape(v.value) if isinstance(v, ast.Constant) else "[a-z_.]+" for v in node.values
        ]
        pattern = re.compile("".join(parts))
        if any(pattern.fullmatch(name) for name in registry.REGISTERED):
            return []
        return [f"no registered name looks like {ast.unparse(node)}"]
    return []


def unregistered(source: str) -> list[str]:
    found = []
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module == "annulus.audit.actions":
            imported |= {a.name for a in node.names}
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        names: list[ast.expr] = []
        if name == "record" and node.args:
            names.append(node.args[0])
        names += [k.value for k in node.keywords if k.arg == "audit_action"]
        # `action=` also names argparse actions and change-history operations ("create"); only a
        # dotted literal there is an audit name passed through (the scheduling moves).
        names += [
            k.value
            for k in node.keywords
            if k.arg == "action" and isinstance(k.value, ast.Constant) and "." in str(k.value.value)
        ]
        for expr in names:
            if isinstance(expr, ast.Name) and expr.id.isupper() and expr.id not in imported:
                found.append(f"line {node.lineno}: {expr.id} is not from the registry")
            elif isinstance(expr, ast.Name) and expr.id.isupper():
                if expr.id not in CONSTANTS:
                    found.append(f"line {node.lineno}: {expr.id} is not registered")
            else:
                found += [f"line {node.lineno}: {p}" for p in _problems(expr)]
    return found


def test_every_record_call_uses_a_registered_name():
    offenders = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts:
            continue
        if found := unregistered(path.read_text()):
            offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}, "add the name to annulus/audit/actions.py: " + repr(offenders)


def test_the_scan_catches_an_unregistered_name():
    source = """
from annulus.audit.actions import PATIENT_CREATE
record("patient.create")
record(PATIENT_CREATE)
record("patient.invented")
record(f"candidacy.{review}")
record(f"nothing.{x}")
save_clinical(obj, audit_action="made.up")
record("intake.patient_save" if link else "intake.sav")
"""
    found = unregistered(source)
    assert len(found) == 6, found
    assert sum("written out" in f for f in found) == 2
    assert any("patient.invented" in f for f in found)
    assert any("made.up" in f for f in found)
    assert any("intake.sav'" in f for f in found)
    assert any("nothing." in f for f in found)


def test_registered_values_are_unique_and_well_formed():
    values = [getattr(registry, name) for name in CONSTANTS]
    strings = [v for v in values if isinstance(v, str)]
    assert len(strings) == len(set(strings))
    assert all(re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", v) for v in registry.REGISTERED)
