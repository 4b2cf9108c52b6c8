"""The bytecode folder reuses the installed packages' compiled files rather than compiling again.

The linking runs over a small made-up site-packages folder: walking the real environment's
~11,000 compiled files took ten seconds of the suite and tested nothing more. One check looks at
the real environment: that pip did compile what it installed, which the linking relies on.
"""

from __future__ import annotations

import importlib.util
import os
import py_compile
import sys
from pathlib import Path

import pytest
import yaml

from annulus.cli import INSTALLED_LINKED, link_installed_bytecode

TAG = sys.implementation.cache_tag


def made_up_site(root: Path) -> Path:
    """site-packages with one package compiled as pip does, plus files the linking must skip."""
    package = root / "site-packages" / "pkg"
    package.mkdir(parents=True)
    for name in ("__init__.py", "mod.py"):
        (package / name).write_text("VALUE = 1\n")
        py_compile.compile(
            str(package / name), cfile=str(package / "__pycache__" / f"{name[:-3]}.{TAG}.pyc")
        )
    (package / "__pycache__" / "mod.cpython-39.pyc").write_bytes(b"another Python's")
    (package / "__pycache__" / f"mod.{TAG}.opt-1.pyc").write_bytes(b"optimised: not ours")
    (package / "data.pyc").write_bytes(b"not in a __pycache__ folder")
    return root / "site-packages"


def test_pip_compiled_the_installed_packages() -> None:
    installed = os.path.join(os.path.dirname(yaml.__file__), "__pycache__", f"__init__.{TAG}.pyc")
    assert os.path.exists(installed), "pip compiles the packages it installs"


def test_it_links_each_installed_module_s_compiled_file_where_python_looks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = made_up_site(tmp_path)
    prefix = tmp_path / "pycache"
    monkeypatch.setattr(sys, "pycache_prefix", str(prefix))

    link_installed_bytecode(str(prefix), roots=[str(site)])

    for name in ("__init__", "mod"):
        source = site / "pkg" / f"{name}.py"
        where_python_looks = Path(importlib.util.cache_from_source(str(source)))
        assert where_python_looks.is_relative_to(prefix)
        assert where_python_looks.is_symlink()
        assert os.path.samefile(
            where_python_looks, site / "pkg" / "__pycache__" / f"{name}.{TAG}.pyc"
        )
    assert (prefix / INSTALLED_LINKED).exists()
    # Nothing but links, and only this Python's plain compiled files: no file of the environment
    # is copied or rewritten.
    linked = sorted(p.name for p in prefix.rglob("*.pyc"))
    assert linked == [f"__init__.{TAG}.pyc", f"mod.{TAG}.pyc"]
    assert all(p.is_symlink() for p in prefix.rglob("*.pyc"))


def test_a_second_run_keeps_what_is_there(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = made_up_site(tmp_path)
    prefix = tmp_path / "pycache"
    monkeypatch.setattr(sys, "pycache_prefix", str(prefix))
    link_installed_bytecode(str(prefix), roots=[str(site)])
    compiled_here = Path(importlib.util.cache_from_source(str(site / "pkg" / "mod.py")))
    compiled_here.unlink()
    compiled_here.write_bytes(b"compiled by a process meanwhile")
    link_installed_bytecode(str(prefix), roots=[str(site)])  # another process got there first

    assert Path(importlib.util.cache_from_source(str(site / "pkg" / "__init__.py"))).is_symlink()
    assert compiled_here.read_bytes() == b"compiled by a process meanwhile"
