"""The outcomes actions and the timers that call them never import each other in a circle."""

from __future__ import annotations

import ast
from pathlib import Path

import annulus.outcomes

OUTCOMES = Path(annulus.outcomes.__file__).parent


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_no_action_imports_the_timers_not_even_inside_a_function():
    for path in [*sorted((OUTCOMES / "actions").glob("*.py")), OUTCOMES / "emails.py"]:
        assert "annulus.outcomes.delivery" not in _imported_modules(path), path.name


def test_the_emails_module_imports_no_action():
    imported = _imported_modules(OUTCOMES / "emails.py")
    assert not {m for m in imported if m.startswith("annulus.outcomes.actions")}
