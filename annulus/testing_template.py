"""Build the migrated SQLite test template in a process of its own, beside the test workers.

On a fresh checkout the first xdist worker to reach the database migrated the template (about
12 CPU-s) while the other waited on the lock with nothing to do. The controller of a `pytest -n`
pass now starts this module before the workers start (`start_beside_workers`, called from
annulus/conftest.py), so the build runs while the workers import and collect the suite, and they
find the template ready or nearly so.

The controller takes the template lock and hands its file descriptor to this process, which
holds it until the template is saved: a worker that needs the database before then waits, as
it waited for a worker before. If this process fails, the lock is freed with no template and the
first worker builds it as it always did (annulus/testing_db.py `set_up_from_template`).

    python -m annulus.testing_template <locked file descriptor>
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest


def start_beside_workers(config: pytest.Config) -> None:
    """In the controller of an xdist pass with no migrated SQLite template
    yet: start this module's build in a process of its own, holding the template lock. Runs with
    --create-db, --reuse-db or --no-migrations, and single-process runs, build as before."""
    import fcntl
    import subprocess

    if hasattr(config, "workerinput") or config.getoption("dist", "no") == "no":
        return
    if any(config.getoption(name, False) for name in ("create_db", "reuse_db", "nomigrations")):
        return
    from annulus import testing_db

    test_name = testing_db.sqlite_test_name()
    if test_name is None:
        return
    template = testing_db.template_for(test_name)
    if template.exists():
        return
    with open(template.parent / testing_db.TEMPLATE_LOCK, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # another pass is building it: the workers wait for that one
        # The child inherits the locked file and frees it when the template is saved.
        builder = subprocess.Popen(
            [sys.executable, "-m", "annulus.testing_template", str(lock.fileno())],
            pass_fds=(lock.fileno(),),
            stdout=subprocess.DEVNULL,
        )

    def wait_for_builder() -> None:  # no process outlives the pass
        builder.wait()

    config.add_cleanup(wait_for_builder)


def build(lock_fd: int) -> None:
    import django

    django.setup()
    from django.db import connections
    from django.test.utils import setup_test_environment

    from annulus import testing_db

    try:
        test_name = testing_db.sqlite_test_name()
        if test_name is None:
            return
        template = testing_db.template_for(test_name)
        if template.exists():
            return
        setup_test_environment()  # as pytest-django does before the workers migrate
        connection = connections["default"]
        # A name of its own, so no worker's test database is touched.
        building = f"{test_name}_template"
        connection.settings_dict["TEST"]["NAME"] = building
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        testing_db.save(building, template)
        connections.close_all()
        testing_db.remove_with_journals(Path(building))
    finally:
        os.close(lock_fd)  # frees the lock: the template is saved, or a worker will build it


if __name__ == "__main__":
    build(int(sys.argv[1]))
