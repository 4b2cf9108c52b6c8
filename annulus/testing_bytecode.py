"""Cache compiled bytecode for test runs outside the source tree (loaded early: `-p` in pyproject).

With PYTHONDONTWRITEBYTECODE=1 in the environment (as on the project's shared machines), every
test process compiled all ~670 Annulus modules from source and pytest re-rewrote every test
module: about 9 CPU-s more per process measured with `pytest --collect-only` at load ~10 (16 CPU-s
against 7 with a warm cache), paid by each xdist worker and each `annulus` subprocess a test starts.
The usual reason for that variable is to keep `__pycache__` folders out of the checkout, so the
bytecode goes to one folder under the var directory (PYTHONPYCACHEPREFIX) instead of being
dropped. Python checks each cached file against its source's mtime and size, as always.
Imported by pytest before pytest-django sets Django up, so the apps' modules are cached too.
The rule itself lives in annulus/cli.py, which imports only the standard library.
"""

from __future__ import annotations

from annulus.cli import cache_bytecode_outside_source

# The same choice as the `annulus` command's: one rule for where bytecode goes.
cache_bytecode_outside_source()
