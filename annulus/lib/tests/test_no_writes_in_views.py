"""Views parse, authorize and render: every write goes through an action (docs/architecture.md).

This test reads the source of every view module under `annulus` (`*views*.py` and any module in a
`views/` package) and fails on an ORM write or a transaction there. `form.save(commit=False)`
builds an unsaved object for an action, so it is allowed; `.update(` on a dict is allowed, on a
queryset (anything reached through `.objects` or a queryset method) it is not.
"""

from __future__ import annotations

import ast
from pathlib import Path

import annulus

ROOT = Path(annulus.__file__).parent
# Methods that write through a manager or a queryset.
MANAGER_WRITES = {"create", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}
QUERYSET_METHODS = {
    "objects",
    "filter",
    "exclude",
    "all",
    "select_for_update",
    "select_related",
    "prefetch_related",
    "only",
    "defer",
    "order_by",
    "annotate",
}
PRIVATE_HELPERS = {"save_clinical", "delete_clinical"}


def view_modules() -> list[Path]:
    found = []
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts:
            continue
        if "views" in path.stem or "views" in parts[:-1]:
            found.append(path)
    return sorted(found)


def _chain(node: ast.AST) -> list[str]:
    """The attribute and call names a receiver is built from: `A.objects.filter(x)` →
    ["A", "objects", "filter"]."""
    names: list[str] = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            names.append(node.id)
            return names[::-1]
        else:
            return names[::-1]


def writes_in(source: str) -> list[str]:
    """Each write in `source`, as "line N: what"."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.module == "django.db.transaction" or any(
                a.name in PRIVATE_HELPERS for a in node.names
            ):
                found.append(f"line {node.lineno}: imports {node.module}")
            continue
        if isinstance(node, ast.Attribute) and node.attr == "atomic":
            if _chain(node.value)[-1:] == ["transaction"]:
                found.append(f"line {node.lineno}: transaction.atomic")
            continue
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in PRIVATE_HELPERS:
            found.append(f"line {node.lineno}: {func.id}()")
        if not isinstance(func, ast.Attribute):
            continue
        receiver = _chain(func.value)
        if func.attr == "save":
            unsaved = any(
                k.arg == "commit" and isinstance(k.value, ast.Constant) and k.value.value is False
                for k in node.keywords
            )
            if not unsaved:
                found.append(f"line {node.lineno}: .save(")
        elif func.attr == "delete":
            found.append(f"line {node.lineno}: .delete(")
        elif func.attr in MANAGER_WRITES and "objects" in receiver:
            found.append(f"line {node.lineno}: objects.{func.attr}(")
        elif func.attr == "update" and set(receiver) & QUERYSET_METHODS:
            found.append(f"line {node.lineno}: queryset .update(")
    return found


def test_no_view_module_writes_to_the_database():
    offenders = {}
    for path in view_modules():
        if found := writes_in(path.read_text()):
            offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}, "views must call an action instead:\n" + "\n".join(
        f"{name}: {', '.join(lines)}" for name, lines in offenders.items()
    )


def test_it_finds_the_view_modules():
    names = {str(p.relative_to(ROOT)) for p in view_modules()}
    assert {"patients/views.py", "clinical/treatment_views.py", "patients/va_views.py"} <= names


def test_the_scan_catches_each_kind_of_write_and_lets_the_harmless_ones_pass():
    writes = """
from django.db import transaction
from annulus.patients.history import save_clinical

def view(request):
    patient.save()
    form.save()
    link.delete()
    Patient.objects.create(first_name="A")
    Lead.objects.filter(pk=1).update(status="x")
    Lead.objects.get_or_create(pk=1)
    with transaction.atomic():
        pass
    save_clinical(obj, patient=patient)
"""
    kinds = sorted(line.split(": ", 1)[1] for line in writes_in(writes))
    assert kinds == sorted(
        [
            "imports annulus.patients.history",
            ".save(",
            ".save(",
            ".delete(",
            "objects.create(",
            "queryset .update(",
            "objects.get_or_create(",
            "transaction.atomic",
            "save_clinical()",
        ]
    )
    harmless = """
def view(request):
    obj = form.save(commit=False)
    context.update({"a": 1})
    titles.update((c.id, c.title) for c in every)
"""
    assert writes_in(harmless) == []
