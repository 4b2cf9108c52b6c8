"""The bytecode folder reuses the installed packages' compiled files rather than compiling again."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest
import yaml

from annulus.cli import INSTALLED_LINKED, link_installed_bytecode


def test_it_links_each_installed_module_s_compiled_file_where_python_looks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = tmp_path / "pycache"
    monkeypatch.setattr(sys, "pycache_prefix", str(prefix))
    source = yaml.__file__
    installed = os.path.join(
        os.path.dirname(source), "__pycache__", f"__init__.{sys.implementation.cache_tag}.pyc"
    )
    assert os.path.exists(installed), "pip compiles the packages it installs"

    link_installed_bytecode(str(prefix))

    where_python_looks = Path(importlib.util.cache_from_source(source))
    assert where_python_looks.is_relative_to(prefix)
    assert where_python_looks.is_symlink()
    assert os.path.samefile(where_python_looks, installed)
    assert (prefix / INSTALLED_LINKED).exists()
    # Nothing but links: no file of the environment is copied or rewritten.
    assert not [p for p in prefix.rglob("*.pyc") if not p.is_symlink()]


def test_a_second_run_keeps_what_is_there(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prefix = tmp_path / "pycache"
    monkeypatch.setattr(sys, "pycache_prefix", str(prefix))
    link_installed_bytecode(str(prefix))
    link_installed_bytecode(str(prefix))  # another process got there first: no error

    assert Path(importlib.util.cache_from_source(yaml.__file__)).is_symlink()
