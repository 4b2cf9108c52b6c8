"""Cache compiled bytecode for test runs outside the source tree (loaded early: `-p` in pyproject).

With PYTHONDONTWRITEBYTECODE=1 in the environment (as on the project's shared machines), every
test process compiled all ~670 Annulus modules from source and pytest re-rewrote every test
module: about 9 CPU-s more per process measured with `pytest --collect-only` at load ~10 (16 CPU-s
against 7 with a warm cache), paid by each xdist worker and each `annulus` subprocess a test starts.
The usual reason for that variable is to keep `__pycache__` folders out of the checkout, so the
bytecode goes to one folder under the var directory (PYTHONPYCACHEPREFIX) instead of being
dropped. Python checks each cached file against its source's mtime and size, as always.
Imported by pytest before pytest-django sets Django up, so the apps' modules are cached too.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

if sys.dont_write_bytecode and not os.environ.get("PYTHONPYCACHEPREFIX"):
    var = Path(os.environ.get("ANNULUS_VAR_DIR") or Path(__file__).resolve().parent.parent / "var")
    prefix = str(var / "pycache")
    sys.pycache_prefix = prefix
    sys.dont_write_bytecode = False
    # The xdist workers and the `annulus` commands tests start inherit the same choice.
    os.environ["PYTHONPYCACHEPREFIX"] = prefix
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def _test_sources(config: Any) -> list[Path]:
    """The test modules and conftests under the paths this run collects, in a fixed order."""
    found: set[Path] = set()
    for arg in config.args:
        path = (config.invocation_params.dir / str(arg).split("::", 1)[0]).resolve()
        if path.is_dir():
            found.update(path.rglob("test_*.py"))
            found.update(path.rglob("conftest.py"))
        elif path.suffix == ".py":
            found.add(path)
    return sorted(p for p in found if ".venv" not in p.parts)


def pytest_sessionstart(session: Any) -> None:
    """xdist workers share out pytest's assertion rewriting of the test modules before collecting.

    On a fresh checkout (CI) every worker collected every test module and rewrote each one's
    asserts itself: ~13 CPU-s per worker, the same files in both, at the same time. Here each
    worker first rewrites and caches the modules with no cached rewrite yet, the first worker
    from the front of the list and the second from the back, so they meet in the middle and
    each file is rewritten about once; collection then loads them all from the cache. With a
    warm cache this only reads each file's header and hash. pytest's own functions do the
    rewriting and the writing, so the cached files are the ones its import hook would write.
    """
    config = session.config
    worker = getattr(config, "workerinput", {}).get("workerid", "")
    if not worker or sys.dont_write_bytecode or config.getoption("assertmode") != "rewrite":
        return
    try:
        from _pytest.assertion import rewrite
    except ImportError:  # pytest's internals moved: collection rewrites as before
        return
    state = config.stash[rewrite.assertstate_key]
    sources = _test_sources(config)
    if int(worker.removeprefix("gw") or 0) % 2:
        sources.reverse()
    for source in sources:
        pyc = rewrite.get_cache_dir(source) / (source.name[:-3] + rewrite.PYC_TAIL)
        if rewrite._read_pyc(source, pyc) is not None:
            continue
        if not rewrite.try_makedirs(pyc.parent):
            return
        source_hash, code = rewrite._rewrite_test(source, config)
        rewrite._write_pyc(state, code, source_hash, pyc)
